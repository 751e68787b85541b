import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledConfig } from '../../config/compiled.js';
import type { GatewayMetrics } from '../../metrics/registry.js';
import type { CircuitBreakers } from '../../router/circuit-breaker.js';
import { providerModelId } from '../../router/decide.js';
import { sendJson } from '../http-util.js';

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;

/** `GET /metrics`: Prometheus text. */
export function metricsRoute(metrics: GatewayMetrics): Handler {
  return async (_request, response) => {
    const { contentType, body } = await metrics.render();
    response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

/**
 * `GET /api/health/upstreams`: every candidate any virtual model can use, with its circuit state, recent error rate and
 * latency. Providers appear by id and base URL host only: never a key.
 */
export function healthRoute(getConfig: () => CompiledConfig, breakers: CircuitBreakers, now: () => number): Handler {
  return (_request, response) => {
    const config = getConfig();
    const at = now();
    const health = new Map(breakers.snapshot(at).map((entry) => [entry.key, entry]));
    const upstreams: unknown[] = [];
    const seen = new Set<string>();
    for (const virtualModel of new Set(config.virtualModels.values())) {
      for (const [tier, modelIds] of Object.entries(virtualModel.tiers)) {
        for (const modelId of modelIds) {
          const model = config.catalog.find(modelId);
          if (!model) continue;
          for (const provider of config.providers) {
            const upstreamModel = providerModelId(provider, model);
            if (!upstreamModel) continue;
            const key = `${provider.id}:${upstreamModel}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const entry = health.get(key);
            upstreams.push({
              key,
              provider: provider.id,
              host: safeHost(provider.baseUrl),
              model: upstreamModel,
              tier,
              state: entry?.state ?? 'closed',
              consecutiveFailures: entry?.consecutiveFailures ?? 0,
              errorRate: entry && entry.recentAttempts > 0 ? Math.round((entry.recentFailures / entry.recentAttempts) * 1000) / 1000 : null,
              latencyMs: entry?.latencyMs === null || entry?.latencyMs === undefined ? null : Math.round(entry.latencyMs),
              lastFailureClass: entry?.lastFailureClass ?? null,
              lastFailureAt: entry?.lastFailureAt ?? null,
              lastSuccessAt: entry?.lastSuccessAt ?? null,
            });
          }
        }
      }
    }
    sendJson(response, 200, { upstreams });
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}
