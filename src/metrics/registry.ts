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

  const requests = accumulatingCounter(registry, {
    name: 'automodel_requests_total',
    help: 'Requests answered, by route, mode, tier, served model and HTTP status.',
    labelNames: ['route', 'mode', 'tier', 'model', 'status'],
  });
  const aborted = accumulatingCounter(registry, {
    name: 'automodel_requests_aborted_total',
    help: 'Requests the client abandoned before the response completed.',
    labelNames: ['route'],
  });
  const duration = accumulatingHistogram(registry, {
    name: 'automodel_request_duration_seconds',
    help: 'Time from request start to the last byte of the response.',
    labelNames: ['route', 'tier', 'streamed'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  });
  const timeToFirstByte = accumulatingHistogram(registry, {
    name: 'automodel_time_to_first_byte_seconds',
    help: 'Time from request start to the first response byte sent to the client.',
    labelNames: ['route', 'tier', 'streamed'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const tokens = accumulatingCounter(registry, {
    name: 'automodel_tokens_total',
    help: 'Tokens by served model and type. input counts every prompt token, cached or not; reasoning is part of output.',
    labelNames: ['model', 'type'],
  });
  const cost = accumulatingCounter(registry, {
    name: 'automodel_cost_usd_total',
    help: 'Cost in USD of requests whose cost is known, by served model and mode.',
    labelNames: ['model', 'mode'],
  });
  const baseline = accumulatingCounter(registry, {
    name: 'automodel_baseline_cost_usd_total',
    help: 'What the same tokens would have cost on the reasoning tier\'s model, by served model and mode.',
    labelNames: ['model', 'mode'],
  });
  const unpriced = accumulatingCounter(registry, {
    name: 'automodel_unpriced_requests_total',
    help: 'Requests whose cost is unknown (not counted in automodel_cost_usd_total).',
    labelNames: ['model'],
  });
  const attempts = accumulatingCounter(registry, {
    name: 'automodel_upstream_attempts_total',
    help: 'Upstream attempts by provider, model and outcome (success, or the failure class).',
    labelNames: ['provider', 'model', 'outcome'],
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

  /**
   * Everything one request touches, found by one Map lookup on its raw values: a request then costs a few additions and
   * two histogram observations. The cache is bounded (label values are closed sets, but the raw values they come from
   * are not: a client can send any mode), so unusual traffic computes its series without caching them.
   */
  const seriesCache = new Map<string, RequestSeries>();
  const attemptSeries = new Map<string, SeriesValue>();
  function seriesFor(record: UsageRecord): RequestSeries {
    const key = `${record.route}\u0000${record.mode}\u0000${record.tier}\u0000${record.servedModel}\u0000${record.status}\u0000${record.streamed}\u0000${record.aborted}`;
    let series = seriesCache.get(key);
    if (series !== undefined) return series;
    const route = routeLabel(record.route);
    const mode = modeLabel(record.mode);
    const tier = tierLabel(record.tier);
    const model = modelLabel(record.servedModel);
    const streamed = record.streamed ? 'true' : 'false';
    series = {
      requests: requests.series([route, mode, tier, model, statusLabel(record.status)]),
      aborted: record.aborted ? aborted.series([route]) : null,
      duration: duration.series([route, tier, streamed]),
      timeToFirstByte: timeToFirstByte.series([route, tier, streamed]),
      tokens: TOKEN_TYPES.map(([type]) => tokens.series([model, type])),
      cost: cost.series([model, mode]),
      baseline: baseline.series([model, mode]),
      unpriced: unpriced.series([model]),
    };
    if (seriesCache.size < SERIES_CACHE_LIMIT) seriesCache.set(key, series);
    return series;
  }

  return {
    registry,
    observe(record) {
      const series = seriesFor(record);
      series.requests.value += 1;
      if (series.aborted) series.aborted.value += 1;
      if (Number.isFinite(record.durationMs)) series.duration.observe(record.durationMs / 1000);
      if (record.ttfbMs !== null && Number.isFinite(record.ttfbMs)) series.timeToFirstByte.observe(record.ttfbMs / 1000);
      for (let index = 0; index < TOKEN_TYPES.length; index++) {
        const count = record[TOKEN_TYPES[index]![1]];
        if (count !== null && count > 0) series.tokens[index]!.value += count;
      }
      if (record.costUsd === null) series.unpriced.value += 1;
      else if (record.costUsd > 0) series.cost.value += record.costUsd;
      if (record.baselineCostUsd !== null && record.baselineCostUsd > 0) series.baseline.value += record.baselineCostUsd;
    },
    attempt(provider, model, failureClass) {
      const key = `${provider}\u0000${model}\u0000${failureClass}`;
      let entry = attemptSeries.get(key);
      if (entry === undefined) {
        entry = attempts.series([providerLabel(provider), modelLabel(model), failureClass === null ? 'success' : failureLabel(failureClass)]);
        if (attemptSeries.size < SERIES_CACHE_LIMIT) attemptSeries.set(key, entry);
      }
      entry.value += 1;
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

/** Raw value combinations remembered per registry; past this, series are still counted, only not cached. */
const SERIES_CACHE_LIMIT = 4096;

/** One labelled series of an accumulating counter: add to `value`. */
interface SeriesValue {
  value: number;
}

interface RequestSeries {
  requests: SeriesValue;
  aborted: SeriesValue | null;
  duration: { observe(value: number): void };
  timeToFirstByte: { observe(value: number): void };
  /** In `TOKEN_TYPES` order. */
  tokens: SeriesValue[];
  cost: SeriesValue;
  baseline: SeriesValue;
  unpriced: SeriesValue;
}

/**
 * A prom-client counter whose increments are gathered in plain objects and handed over when the registry is scraped
 * (its `collect` hook). prom-client's own `inc` hashes and validates the label set on every call; on the request path
 * that was most of what metrics cost. Label values must already be bounded (the callers map them to closed sets).
 */
function accumulatingCounter(registry: Registry, config: { name: string; help: string; labelNames: string[] }): { series(values: string[]): SeriesValue } {
  const entries = new Map<string, { labels: Record<string, string>; value: number }>();
  new Counter({
    ...config,
    registers: [registry],
    collect() {
      this.reset();
      for (const entry of entries.values()) if (entry.value > 0) this.inc(entry.labels, entry.value);
    },
  });
  return {
    series(values) {
      return seriesEntry(entries, config.labelNames, values, (labels) => ({ labels, value: 0 }));
    },
  };
}

/** One labelled series of an accumulating histogram. */
interface HistogramSeries {
  observe(value: number): void;
}

/**
 * A Prometheus histogram kept as plain per-series bucket counts and rendered at scrape time, registered on the registry as
 * a metric of prom-client's documented shape (`get()` returning `_bucket`, `_sum` and `_count` values). prom-client's own
 * `observe` hashes the label set on every call. Label values must already be bounded.
 */
function accumulatingHistogram(
  registry: Registry,
  config: { name: string; help: string; labelNames: string[]; buckets: number[] },
): { series(values: string[]): HistogramSeries } {
  const bounds = [...config.buckets].sort((left, right) => left - right);
  const entries = new Map<string, { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }>();
  const metric = {
    name: config.name,
    help: config.help,
    type: 'histogram' as const,
    aggregator: 'sum' as const,
    collect: undefined,
    async get() {
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      for (const entry of entries.values()) {
        let cumulative = 0;
        for (let index = 0; index < bounds.length; index++) {
          cumulative += entry.counts[index]!;
          values.push({ labels: { le: bounds[index]!, ...entry.labels }, value: cumulative, metricName: `${config.name}_bucket` });
        }
        values.push({ labels: { le: '+Inf', ...entry.labels }, value: entry.count, metricName: `${config.name}_bucket` });
        values.push({ labels: entry.labels, value: entry.sum, metricName: `${config.name}_sum` });
        values.push({ labels: entry.labels, value: entry.count, metricName: `${config.name}_count` });
      }
      return { name: config.name, help: config.help, type: 'histogram' as const, aggregator: 'sum' as const, values };
    },
    reset() {
      entries.clear();
    },
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    series(values) {
      const found = seriesEntry(entries, config.labelNames, values, (labels) => ({ labels, counts: new Float64Array(bounds.length), sum: 0, count: 0 }));
      return {
        observe(value) {
          found.sum += value;
          found.count += 1;
          for (let index = 0; index < bounds.length; index++) {
            if (value <= bounds[index]!) {
              found.counts[index]! += 1;
              break;
            }
          }
        },
      };
    },
  };
}

/** The entry of one label-value combination in an accumulating metric, created on first use. */
function seriesEntry<Entry>(
  entries: Map<string, Entry>,
  labelNames: readonly string[],
  values: readonly string[],
  create: (labels: Record<string, string>) => Entry,
): Entry {
  const key = values.join('\u0000');
  let entry = entries.get(key);
  if (entry === undefined) {
    const labels: Record<string, string> = {};
    labelNames.forEach((name, index) => (labels[name] = values[index] ?? ''));
    entry = create(labels);
    entries.set(key, entry);
  }
  return entry;
}
