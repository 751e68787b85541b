/**
 * The benchmark's scenario table. A scenario says how the gateway is called (route, headers, body) and what the gateway
 * is expected to send upstream for it; the "direct" and "bare proxy" targets send exactly that upstream call, so the
 * three targets do the same work from the mock's point of view.
 *
 * To add rows (Anthropic pass-through, cross-protocol translation, mode inference), add a family to `FAMILIES`; the
 * matrix of bodies × JSON/SSE × concurrency is generated from it.
 */
import { agentTurnBody, tinyBody } from './fixtures.js';
import type { BodyBuilder, BodyProtocol } from './fixtures.js';

/** One side of a scenario: path, headers and body (already built). */
export interface ScenarioCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One row group of the report: the same request measured on every target. */
export interface BenchScenario {
  /** e.g. `openrouter-chat/agent-40k/sse/c64`; `--only` matches substrings of it. */
  id: string;
  /** Shape key shared by the c1 and c64 rows of the same request (TTFB is measured once per shape). */
  shape: string;
  family: string;
  stream: boolean;
  concurrency: number;
  /** How the gateway is called. */
  gateway: ScenarioCall;
  /** What the gateway should send upstream; also what "direct" and "bare proxy" send. */
  upstream: ScenarioCall;
}

/** A way of calling the gateway, with the upstream call it should turn into. */
export interface ScenarioFamily {
  id: string;
  /** Families with `defaultOn: false` run only with `--all` (`--all --only openai-chat` runs just that family). */
  defaultOn: boolean;
  gatewayPath: string;
  gatewayHeaders: Record<string, string>;
  gatewayProtocol: BodyProtocol;
  gatewayModel: string;
  upstreamPath: string;
  upstreamHeaders: Record<string, string>;
  upstreamProtocol: BodyProtocol;
  /** The concrete model the gateway should pick (code mode → implementation tier → Sonnet 4.5). */
  upstreamModel: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The API key the gateway is started with (`OPENROUTER_API_KEY`), so direct calls carry the same credentials. */
export const BENCH_UPSTREAM_KEY = 'bench-key';

/** Ways of calling the gateway. */
export const FAMILIES: readonly ScenarioFamily[] = [
  {
    // The Kilo CLI / Kilo Code route: OpenRouter-compatible Chat Completions, mode in a header.
    id: 'openrouter-chat',
    defaultOn: true,
    gatewayPath: '/api/openrouter/chat/completions',
    gatewayHeaders: { ...JSON_HEADERS, authorization: 'Bearer bench-client', 'x-kilocode-mode': 'code' },
    gatewayProtocol: 'openai',
    gatewayModel: 'kilo/auto',
    upstreamPath: '/api/v1/chat/completions',
    upstreamHeaders: { ...JSON_HEADERS, authorization: `Bearer ${BENCH_UPSTREAM_KEY}` },
    upstreamProtocol: 'openai',
    upstreamModel: 'anthropic/claude-sonnet-4.5',
  },
  {
    // Plain OpenAI-compatible route to the same upstream.
    id: 'openai-chat',
    defaultOn: false,
    gatewayPath: '/v1/chat/completions',
    gatewayHeaders: { ...JSON_HEADERS, authorization: 'Bearer bench-client', 'x-kilocode-mode': 'code' },
    gatewayProtocol: 'openai',
    gatewayModel: 'kilo/auto',
    upstreamPath: '/api/v1/chat/completions',
    upstreamHeaders: { ...JSON_HEADERS, authorization: `Bearer ${BENCH_UPSTREAM_KEY}` },
    upstreamProtocol: 'openai',
    upstreamModel: 'anthropic/claude-sonnet-4.5',
  },
];

/** Request bodies measured for every family. */
export const BODIES: ReadonlyArray<{ id: string; build: BodyBuilder }> = [
  { id: 'tiny', build: tinyBody },
  { id: 'agent-40k', build: agentTurnBody },
];

/** Response kinds: JSON, and SSE of the mock's default 20 text chunks with usage. */
export const RESPONSE_KINDS: ReadonlyArray<{ id: string; stream: boolean }> = [
  { id: 'json', stream: false },
  { id: 'sse', stream: true },
];

/** Concurrency levels (autocannon connections). */
export const CONCURRENCY: readonly number[] = [1, 64];

/** Expands the table into scenarios, keeping those that pass the filters. */
export function buildScenarios(filters: { only: string | undefined; all: boolean }): BenchScenario[] {
  const scenarios: BenchScenario[] = [];
  for (const family of FAMILIES) {
    for (const body of BODIES) {
      for (const kind of RESPONSE_KINDS) {
        const shape = `${family.id}/${body.id}/${kind.id}`;
        const gatewayBody = body.build({ protocol: family.gatewayProtocol, model: family.gatewayModel, stream: kind.stream });
        const upstreamBody = body.build({ protocol: family.upstreamProtocol, model: family.upstreamModel, stream: kind.stream });
        for (const concurrency of CONCURRENCY) {
          const id = `${shape}/c${concurrency}`;
          const wanted = (family.defaultOn || filters.all) && (filters.only === undefined || id.includes(filters.only));
          if (!wanted) continue;
          scenarios.push({
            id,
            shape,
            family: family.id,
            stream: kind.stream,
            concurrency,
            gateway: { path: family.gatewayPath, headers: family.gatewayHeaders, body: gatewayBody },
            upstream: { path: family.upstreamPath, headers: family.upstreamHeaders, body: upstreamBody },
          });
        }
      }
    }
  }
  return scenarios;
}
