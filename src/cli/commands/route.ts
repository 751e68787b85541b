/**
 * `automodel route <request.json> [--mode m] [--header k:v ...] [--protocol p] [--config f] [--json]`: the decision the
 * gateway would make for a request body, with its reasons, computed offline (no server, no upstream call).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CompiledConfig } from '../../config/compiled.js';
import { decide } from '../../router/decide.js';
import type { Candidate, Decision } from '../../router/decision.js';
import { inferMode } from '../../router/infer-mode.js';
import type { ClientProtocol } from '../../usage/types.js';
import { CliError, loadConfigForCli, paint, resolveIo, useColour, withUsageExit, type CliIo } from './config.js';

const PROTOCOLS = ['openai-chat', 'anthropic-messages'] as const;

interface RouteOptions {
  mode?: string;
  header?: Array<[string, string]>;
  protocol?: ClientProtocol;
  config?: string;
  json?: boolean;
}

function collectHeader(value: string, previous: Array<[string, string]> | undefined): Array<[string, string]> {
  const separator = value.indexOf(':');
  if (separator <= 0) throw new InvalidArgumentError('expected name:value, e.g. x-kilocode-mode:plan');
  return [...(previous ?? []), [value.slice(0, separator).trim().toLowerCase(), value.slice(separator + 1).trim()]];
}

/** The `route` command. Mount it with `program.addCommand(createRouteCommand())`. */
export function createRouteCommand(partialIo: Partial<CliIo> = {}, now: () => number = Date.now): Command {
  const io = resolveIo(partialIo);
  const command = new Command('route')
    .description('Explain, offline, where a request would be routed and why.')
    .argument('<request.json>', 'a request body (OpenAI Chat Completions or Anthropic Messages)')
    .option('--mode <mode>', 'the mode, as if sent in x-automodel-mode (x-kilocode-mode, if given, still wins)')
    .option('--header <name:value>', 'a request header (repeatable), e.g. x-kilocode-mode:plan', collectHeader)
    .addOption(new Option('--protocol <protocol>', 'the client protocol (default: from the body and headers)').choices(PROTOCOLS))
    .option('--config <file>', 'config file (default: AUTOMODEL_CONFIG, then ./automodel.yaml, else zero config)')
    .option('--json', 'print the raw Decision as JSON')
    .action((file: string, options: RouteOptions) => {
      const body = readRequest(resolve(io.cwd, file), file);
      const config = loadConfigForCli(io, options.config);
      const headers = new Map(options.header ?? []);
      if (options.mode !== undefined) headers.set('x-automodel-mode', options.mode);
      const protocol = options.protocol ?? (headers.has('anthropic-version') || body.system !== undefined ? 'anthropic-messages' : 'openai-chat');
      const outputTokens = requestedOutputTokens(protocol, body);
      const decision = decide(
        {
          protocol,
          requestedModel: typeof body.model === 'string' ? body.model : '',
          kilocodeModeHeader: headers.get('x-kilocode-mode'),
          automodelModeHeader: headers.get('x-automodel-mode'),
          inferMode: () => inferMode(protocol, body),
          ...(outputTokens !== undefined ? { requestedOutputTokens: outputTokens } : {}),
          now: now(),
        },
        config,
      );
      if (options.json) io.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
      else io.stdout.write(renderDecision(decision, config, protocol, useColour(io.stdout, io.env)));
    });
  return withUsageExit(command);
}

function readRequest(path: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${shown}: file not found` : `${shown}: cannot read it (${code ?? (error as Error).message})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new CliError(`${shown} must hold a JSON object (a request body)`);
  return body as Record<string, unknown>;
}

function requestedOutputTokens(protocol: ClientProtocol, body: Record<string, unknown>): number | undefined {
  const value = protocol === 'anthropic-messages' ? body.max_tokens : (body.max_completion_tokens ?? body.max_tokens);
  return typeof value === 'number' ? value : undefined;
}

function describeCandidate(candidate: Candidate): string {
  const model = candidate.modelId ?? candidate.upstreamModel;
  const upstream = candidate.upstreamModel === model ? '' : ` as ${candidate.upstreamModel}`;
  return `${model} via ${candidate.providerId}${upstream} (${candidate.protocol})`;
}

/** The decision as a short, aligned report. */
export function renderDecision(decision: Decision, config: CompiledConfig, protocol: ClientProtocol, colour: boolean): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${paint(colour, '2', label.padEnd(11))} ${value}`);
  const target = decision.candidates[0];
  const head = target ? paint(colour, '1;32', describeCandidate(target)) : paint(colour, '1;31', `no route (${decision.error?.code ?? 'unknown'})`);
  lines.push(`${paint(colour, '1', decision.requestedModel || '(no model)')} → ${head}`);
  row('protocol', protocol);
  row('mode', decision.mode === null ? `none (${decision.modeSource})` : `${decision.mode} (${decision.modeSource})`);
  if (decision.tier !== null) row('tier', decision.tier);
  row('reason', decision.reason.replaceAll(' -> ', ' → '));
  decision.candidates.slice(1).forEach((candidate, index) => row(index === 0 ? 'fallbacks' : '', `${index + 2}. ${describeCandidate(candidate)}`));
  for (const [index, skipped] of decision.skipped.entries()) row(index === 0 ? 'skipped' : '', `${describeCandidate(skipped)}: ${skipped.skipReason}`);
  const virtualModel = decision.virtualModel ? config.virtualModels.get(decision.virtualModel.toLowerCase()) : undefined;
  const overrides = decision.mode ? virtualModel?.overrides?.[decision.mode] : undefined;
  if (overrides && Object.keys(overrides).length > 0) {
    row('overrides', Object.entries(overrides).map(([field, value]) => `${field}=${JSON.stringify(value)}`).join(' '));
  }
  if (decision.inference) {
    const inference = decision.inference;
    const verdict = inference.mode === null ? 'no mode' : `${inference.mode} (confidence ${inference.confidence.toFixed(2)})`;
    row('inference', `${inference.agent ?? 'no agent recognised'}: ${verdict}${inference.evidence.length ? `; ${inference.evidence.join('; ')}` : ''}`);
  }
  for (const [index, diagnostic] of decision.diagnostics.entries()) row(index === 0 ? 'notes' : '', paint(colour, '33', diagnostic));
  if (decision.error) row('error', paint(colour, '31', `${decision.error.code}: ${decision.error.message}`));
  return `${lines.join('\n')}\n`;
}
