/**
 * The benchmark's scenario table. A scenario says how the gateway is called (route, headers, body) and what the gateway
 * is expected to send upstream for it; the "direct" and "bare proxy" targets send exactly that upstream call, so the
 * three targets do the same work from the mock's point of view.
 *
 * Families: the Kilo route to OpenRouter (OpenAI format both sides), Anthropic pass-through (Anthropic client and
 * upstream), and cross-protocol translation (OpenAI client, Anthropic upstream). The matrix of bodies × JSON/SSE ×
 * concurrency is generated from each family; a family may narrow it (`shapes`) to keep the default run short. The
 * mode-inference row is measured in-process (`mode-inference.ts`).
 */
import { agentTurnBody, tinyBody } from './fixtures.js';
import type { BodyBuilder, BodyProtocol } from './fixtures.js';

/** One side of a scenario: path, headers and body (already built). */
export interface ScenarioCall {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The wire format of the answer this call gets (what the probe checks for). */
  responseProtocol: BodyProtocol;
}

/** One row group of the report: the same request measured on every target. */
export interface BenchScenario {
  /** e.g. `openrouter-chat/agent-40k/sse/c64`; `--only` matches substrings of it. */
  id: string;
  /** Shape key shared by the c1 and c64 rows of the same request (TTFB is measured once per shape). */
  shape: string;
  family: string;
  /** Which gateway process serves the family: the one configured with OpenRouter, or the one with Anthropic. */
  gatewayProvider: GatewayProvider;
  stream: boolean;
  concurrency: number;
  /** How the gateway is called. */
  gateway: ScenarioCall;
  /** What the gateway should send upstream; also what "direct" and "bare proxy" send. */
  upstream: ScenarioCall;
}

/** The provider the gateway process of a family is configured with (one provider each, so the route is certain). */
export type GatewayProvider = 'openrouter' | 'anthropic';

/** A way of calling the gateway, with the upstream call it should turn into. */
export interface ScenarioFamily {
  id: string;
  gatewayProvider: GatewayProvider;
  /** Concurrency levels per body × response kind; no entry (or an empty list) leaves that shape out. Default: all at `CONCURRENCY`. */
  shapes?: Record<string, readonly number[]>;
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
const ANTHROPIC_VERSION = { 'anthropic-version': '2023-06-01' };

/** The API key the gateway is started with (`OPENROUTER_API_KEY`), so direct calls carry the same credentials. */
export const BENCH_UPSTREAM_KEY = 'bench-key';

/** The environment of a gateway process whose one upstream is the mock, with its usage store at `dbPath`. */
export function gatewayEnvironment(mockUrl: string, dbPath: string, provider: GatewayProvider): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Only the one upstream of this gateway may be configured, so every request goes to the mock by a known route.
    if (/^(ANTHROPIC_|OPENAI_|OPENROUTER_|DATABASE_URL|REDIS_URL|AUTOMODEL_)/.test(name)) continue;
    environment[name] = value;
  }
  const upstream =
    provider === 'anthropic'
      ? { ANTHROPIC_API_KEY: BENCH_UPSTREAM_KEY, ANTHROPIC_BASE_URL: mockUrl }
      : { OPENROUTER_API_KEY: BENCH_UPSTREAM_KEY, OPENROUTER_BASE_URL: `${mockUrl}/api/v1` };
  return { ...environment, ...upstream, AUTOMODEL_DB: dbPath, LOG_LEVEL: 'warn' };
}

/** Ways of calling the gateway. */
export const FAMILIES: readonly ScenarioFamily[] = [
  {
    // The Kilo CLI / Kilo Code route: OpenRouter-compatible Chat Completions, mode in a header.
    id: 'openrouter-chat',
    gatewayProvider: 'openrouter',
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
    gatewayProvider: 'openrouter',
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
  {
    // Claude Code and the Anthropic SDK: Anthropic Messages in, Anthropic Messages out, bytes passed through.
    id: 'anthropic-messages',
    gatewayProvider: 'anthropic',
    defaultOn: true,
    shapes: { 'tiny/json': [1], 'tiny/sse': [1, 64], 'agent-40k/json': [1], 'agent-40k/sse': [1, 64] },
    gatewayPath: '/v1/messages',
    gatewayHeaders: { ...JSON_HEADERS, ...ANTHROPIC_VERSION, 'x-api-key': 'bench-client', 'x-kilocode-mode': 'code' },
    gatewayProtocol: 'anthropic',
    gatewayModel: 'kilo/auto',
    upstreamPath: '/v1/messages',
    upstreamHeaders: { ...JSON_HEADERS, ...ANTHROPIC_VERSION, 'x-api-key': BENCH_UPSTREAM_KEY },
    upstreamProtocol: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
  },
  {
    // An OpenAI-format client on an Anthropic upstream: request and 20-chunk stream translated both ways. The direct and
    // bare-proxy targets send the same content in Anthropic format, so the mock's work is the same.
    id: 'openai-to-anthropic',
    gatewayProvider: 'anthropic',
    defaultOn: true,
    shapes: { 'tiny/sse': [1, 64], 'agent-40k/sse': [1, 64] },
    gatewayPath: '/v1/chat/completions',
    gatewayHeaders: { ...JSON_HEADERS, authorization: 'Bearer bench-client', 'x-kilocode-mode': 'code' },
    gatewayProtocol: 'openai',
    gatewayModel: 'kilo/auto',
    upstreamPath: '/v1/messages',
    upstreamHeaders: { ...JSON_HEADERS, ...ANTHROPIC_VERSION, 'x-api-key': BENCH_UPSTREAM_KEY },
    upstreamProtocol: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
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
        const levels = family.shapes ? (family.shapes[`${body.id}/${kind.id}`] ?? []) : CONCURRENCY;
        for (const concurrency of levels) {
          const id = `${shape}/c${concurrency}`;
          const wanted = (family.defaultOn || filters.all) && (filters.only === undefined || id.includes(filters.only));
          if (!wanted) continue;
          scenarios.push({
            id,
            shape,
            family: family.id,
            gatewayProvider: family.gatewayProvider,
            stream: kind.stream,
            concurrency,
            gateway: { path: family.gatewayPath, headers: family.gatewayHeaders, body: gatewayBody, responseProtocol: family.gatewayProtocol },
            upstream: { path: family.upstreamPath, headers: family.upstreamHeaders, body: upstreamBody, responseProtocol: family.upstreamProtocol },
          });
        }
      }
    }
  }
  return scenarios;
}
