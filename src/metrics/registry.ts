/**
 * Prometheus metrics for the gateway, on a private prom-client `Registry` (never the global one, so tests
 * and embedders can create as many as they like).
 *
 * Label cardinality is bounded by construction: every label value passes through a closed set (known mode
 * slugs, catalog model ids, known routes, configured providers, common statuses), and anything else
 * becomes `other` (`custom` for modes, `Nxx` for statuses).
 * No request ids, session ids, client names, reasons or other free text ever become labels, so no secret
 * that reaches a request can reach `/metrics`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createCatalog } from '../catalog/catalog.js';
import { BUILTIN_MODELS } from '../catalog/models.js';
import { IMPLEMENTATION_MODES, REASONING_MODES } from '../config/defaults.js';
import type { UsageRecord } from '../usage/types.js';

/** Mode slugs that get their own label value; any other mode is `custom`, no mode is `none`. */
export const KNOWN_MODE_LABELS: readonly string[] = [...REASONING_MODES, ...IMPLEMENTATION_MODES, 'title'];

/** The gateway's routes (DESIGN.md §3); any other path is `other`. */
export const KNOWN_ROUTE_LABELS: readonly string[] = [
  '/v1/chat/completions',
  '/v1/messages',
  '/v1/messages/count_tokens',
  '/v1/responses',
  '/api/openrouter/chat/completions',
];

/** Failure classes from the classifier; anything else is `other`. */
export const KNOWN_FAILURE_CLASSES: readonly string[] = ['rate-limit', 'overloaded', 'server', 'timeout', 'network', 'client'];

export interface MetricsOptions {
  /** Canonical model id for a model id, or undefined if not in the catalog. Default: the built-in catalog. */
  resolveModel?: (id: string) => string | undefined;
  /** Mode slugs with their own label value. Default `KNOWN_MODE_LABELS`. */
  knownModes?: readonly string[];
  /** Tier names with their own label value. Default `reasoning`, `implementation`; others are `other`. */
  knownTiers?: readonly string[];
  knownRoutes?: readonly string[];
  /** Provider ids (from config) with their own label value. Default the built-in adapter ids. */
  knownProviders?: readonly string[];
  /** Also export Node process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** The gateway's metrics. Every method is cheap enough for the request path. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Count a finished request from its usage record. */
  observe(record: UsageRecord): void;
  /** Count one upstream attempt; `failureClass` null means it succeeded. */
  attempt(provider: string, model: string, failureClass: string | null): void;
  streamOpened(): void;
  streamClosed(): void;
  /** Hook for `UsageStoreOptions.onBatchCommitted`. */
  usageBatchCommitted(records: number, durationMs: number): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Maps free values onto a bounded label set. */
function closedSet(known: readonly string[], fallback: string): (value: string) => string {
  const set = new Set(known.map((value) => value.toLowerCase()));
  return (value) => {
    const normalised = value.trim().toLowerCase();
    return set.has(normalised) ? normalised : fallback;
  };
}

/** Statuses labelled exactly; any other becomes its class (`2xx`…`5xx`). */
const EXACT_STATUSES = new Set([200, 400, 401, 403, 404, 408, 409, 413, 422, 429, 499, 500, 502, 503, 504, 529]);

function statusLabel(status: number): string {
  if (EXACT_STATUSES.has(status)) return String(status);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? `${Math.floor(status / 100)}xx` : 'other';
}

const TOKEN_TYPES = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_write', 'cacheWriteTokens'],
  ['reasoning', 'reasoningTokens'],
] as const;

/** Create a metrics set on its own registry. */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'automodel_' });

  const catalog = options.resolveModel === undefined ? createCatalog(BUILTIN_MODELS) : undefined;
  const resolveModel = options.resolveModel ?? ((id: string) => catalog?.find(id)?.id);
  const modelLabel = (id: string | null): string => (id === null ? 'none' : (resolveModel(id) ?? 'other'));
  const knownMode = closedSet(options.knownModes ?? KNOWN_MODE_LABELS, 'custom');
  const modeLabel = (mode: string | null): string => (mode === null || mode.trim() === '' ? 'none' : knownMode(mode));
  const knownTier = closedSet(options.knownTiers ?? ['reasoning', 'implementation'], 'other');
  const tierLabel = (tier: string | null): string => (tier === null ? 'none' : knownTier(tier));
  const routeLabel = closedSet(options.knownRoutes ?? KNOWN_ROUTE_LABELS, 'other');
  const providerLabel = closedSet(options.knownProviders ?? ['anthropic', 'openai', 'openrouter', 'openai-compatible'], 'other');
  const failureLabel = closedSet(KNOWN_FAILURE_CLASSES, 'other');

  const requests = new Counter({
    name: 'automodel_requests_total',
    help: 'Requests answered, by route, mode, tier, served model and HTTP status.',
    labelNames: ['route', 'mode', 'tier', 'model', 'status'] as const,
    registers: [registry],
  });
  const aborted = new Counter({
    name: 'automodel_requests_aborted_total',
    help: 'Requests the client abandoned before the response completed.',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'automodel_request_duration_seconds',
    help: 'Time from request start to the last byte of the response.',
    labelNames: ['route', 'tier', 'streamed'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const timeToFirstByte = new Histogram({
    name: 'automodel_time_to_first_byte_seconds',
    help: 'Time from request start to the first response byte sent to the client.',
    labelNames: ['route', 'tier', 'streamed'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'automodel_tokens_total',
    help: 'Tokens by served model and type. input counts every prompt token, cached or not; reasoning is part of output.',
    labelNames: ['model', 'type'] as const,
    registers: [registry],
  });
  const cost = new Counter({
    name: 'automodel_cost_usd_total',
    help: 'Cost in USD of requests whose cost is known, by served model and mode.',
    labelNames: ['model', 'mode'] as const,
    registers: [registry],
  });
  const baseline = new Counter({
    name: 'automodel_baseline_cost_usd_total',
    help: 'What the same tokens would have cost on the reasoning tier\'s model, by served model and mode.',
    labelNames: ['model', 'mode'] as const,
    registers: [registry],
  });
  const unpriced = new Counter({
    name: 'automodel_unpriced_requests_total',
    help: 'Requests whose cost is unknown (not counted in automodel_cost_usd_total).',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'automodel_upstream_attempts_total',
    help: 'Upstream attempts by provider, model and outcome (success, or the failure class).',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [registry],
  });
  const streams = new Gauge({
    name: 'automodel_streams_in_flight',
    help: 'Streaming responses currently open.',
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'automodel_usage_store_batch_records',
    help: 'Records per usage-store transaction (group commit).',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000],
    registers: [registry],
  });
  const batchDuration = new Histogram({
    name: 'automodel_usage_store_commit_seconds',
    help: 'Time to commit one usage-store batch.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });

  return {
    registry,
    observe(record) {
      const route = routeLabel(record.route);
      const mode = modeLabel(record.mode);
      const tier = tierLabel(record.tier);
      const model = modelLabel(record.servedModel);
      const streamed = record.streamed ? 'true' : 'false';
      requests.inc({ route, mode, tier, model, status: statusLabel(record.status) });
      if (record.aborted) aborted.inc({ route });
      if (Number.isFinite(record.durationMs)) duration.observe({ route, tier, streamed }, record.durationMs / 1000);
      if (record.ttfbMs !== null && Number.isFinite(record.ttfbMs)) {
        timeToFirstByte.observe({ route, tier, streamed }, record.ttfbMs / 1000);
      }
      for (const [type, field] of TOKEN_TYPES) {
        const count = record[field];
        if (count !== null && count > 0) tokens.inc({ model, type }, count);
      }
      if (record.costUsd === null) unpriced.inc({ model });
      else if (record.costUsd > 0) cost.inc({ model, mode }, record.costUsd);
      if (record.baselineCostUsd !== null && record.baselineCostUsd > 0) baseline.inc({ model, mode }, record.baselineCostUsd);
    },
    attempt(provider, model, failureClass) {
      attempts.inc({
        provider: providerLabel(provider),
        model: modelLabel(model),
        outcome: failureClass === null ? 'success' : failureLabel(failureClass),
      });
    },
    streamOpened() {
      streams.inc();
    },
    streamClosed() {
      streams.dec();
    },
    usageBatchCommitted(records, durationMs) {
      batches.observe(records);
      batchDuration.observe(durationMs / 1000);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
