import { createServer, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import type { CompiledConfig, ProviderConfig } from './config/compiled.js';
import { loadConfig } from './config/load.js';
import { formatProblem } from './config/problems.js';
import { watchConfig, type ConfigWatcher } from './config/watch.js';
import { createMetrics } from './metrics/registry.js';
import { createUpstreamClient } from './providers/upstream-client.js';
import { CircuitBreakers } from './router/circuit-breaker.js';
import { inferMode } from './router/infer-mode.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './router/retry-policy.js';
import { estimateInputTokens } from './tokens/estimate.js';
import { createApp, type AppDeps } from './server/app.js';
import type { ClientAbort } from './server/client-abort.js';
import type { UsageSink } from './server/pipeline.js';
import { createDashboardRoutes } from './server/routes/dashboard.js';
import { healthRoute, metricsRoute } from './server/routes/operations.js';
import { usageApiRoutes } from './server/routes/usage-api.js';
import { openUsageStore, scheduleRetention, storeOptionsFromEnv, type UsageStore } from './usage/store.js';
import type { UsageRecord } from './usage/types.js';

export interface GatewayOptions {
  host?: string;
  port?: number;
  /** `--config`: the config file; else AUTOMODEL_CONFIG, else ./automodel.yaml if present, else zero config. */
  configPath?: string;
  /** Working directory for finding ./automodel.yaml (tests). */
  cwd?: string;
  /** Environment to read providers and the store from; the process environment by default. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Called with every usage record as it is stored (tests, embedding). */
  onRecord?: (record: UsageRecord) => void;
  /** A store to use instead of opening the one the environment names. */
  store?: UsageStore;
  /** Overrides every provider's timeouts (tests use short ones). */
  timeouts?: Partial<ProviderConfig['timeouts']>;
  /** Injected waits for the retry loop (tests make them instant). */
  sleep?: (ms: number, abort: ClientAbort) => Promise<void>;
}

/** The config could not be loaded: every problem, formatted with file, line and path. */
export class ConfigLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`the configuration has errors:\n${problems.join('\n')}`);
    this.name = 'ConfigLoadError';
  }
}

export interface RunningGateway {
  server: Server;
  url: string;
  /** The config in force now (it changes on reload). */
  config(): CompiledConfig;
  /** Re-reads the config file (what SIGHUP does); false when there is no file or the new one is broken. */
  reload(reason?: string): boolean;
  store: UsageStore;
  breakers: CircuitBreakers;
  /** Stops taking requests, waits for those in flight, flushes the store. */
  close(): Promise<void>;
}

/** Secrets never reach a log line, whatever an object carries. */
const REDACT_PATHS = ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]', '*.headers.authorization', '*.headers["x-api-key"]'];

export function createLogger(env: Record<string, string | undefined>): Logger {
  return pino({ level: env.LOG_LEVEL ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined });
}


/**
 * The composition root: the only place that reads the environment, opens the store and listens. Everything it builds
 * is handed to `createApp` as dependencies.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(env);
  const envPort = env.PORT ? Number(env.PORT) : undefined;
  const port = options.port ?? envPort;
  const serverOverrides = { ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) };
  const loaded = loadConfig({ flag: options.configPath, env, serverOverrides, ...(options.cwd ? { cwd: options.cwd } : {}) });
  if (!loaded.ok || !loaded.config) {
    throw new ConfigLoadError(loaded.problems.filter((problem) => problem.severity === 'error').map((problem) => formatProblem(problem)));
  }
  // Test hook: shorter timeouts on every provider, kept across reloads.
  const adapt = (compiled: CompiledConfig): CompiledConfig =>
    options.timeouts
      ? { ...compiled, providers: compiled.providers.map((provider) => ({ ...provider, timeouts: { ...provider.timeouts, ...options.timeouts } })) }
      : compiled;
  let config = adapt(loaded.config);
  for (const problem of loaded.problems) if (problem.severity === 'warning') logger.warn(formatProblem(problem));
  const metrics = createMetrics({
    resolveModel: (id) => config.catalog.find(id)?.id,
    knownProviders: config.providers.map((provider) => provider.id),
  });
  const storeOptions = config.store.databaseUrl
    ? { databaseUrl: config.store.databaseUrl }
    : config.store.sqlitePath
      ? { sqlitePath: config.store.sqlitePath }
      : storeOptionsFromEnv(env);
  const store = options.store ?? (await openUsageStore({ ...storeOptions, logger, onBatchCommitted: metrics.usageBatchCommitted }));
  const stopRetention = scheduleRetention(store, { logger, days: config.retention.days });
  const usage: UsageSink = options.onRecord
    ? {
        record: async (record) => {
          await store.record(record);
          options.onRecord!(record);
        },
      }
    : store;
  const upstream = createUpstreamClient({ connectTimeoutMs: config.providers[0]?.timeouts.connectMs ?? 10_000 });
  const breakers = new CircuitBreakers(config.fallback.breaker);
  const retryPolicy = (): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, maxRetries: config.fallback.retries });
  const now = () => Date.now();
  let draining = false;
  let inFlight = 0;
  let closing: Promise<void> | undefined;
  const usageRoutes = usageApiRoutes({ store, now, logger });
  const dashboard = createDashboardRoutes();
  const deps: AppDeps = {
    getConfig: () => config,
    upstream,
    usage,
    logger,
    breakers,
    get retryPolicy() {
      return retryPolicy();
    },
    now,
    random: Math.random,
    sleep: options.sleep ?? ((ms, abort) => abort.sleep(ms)),
    metrics,
    inferMode,
    estimateInputTokens,
    isDraining: () => draining,
    extraRoutes: {
      ...usageRoutes.extraRoutes,
      ...dashboard.extraRoutes,
      'GET /metrics': metricsRoute(metrics),
      'GET /api/health/upstreams': healthRoute(() => config, breakers, now),
    },
    prefixRoutes: [...usageRoutes.prefixRoutes, ...dashboard.prefixRoutes],
  };
  let watcher: ConfigWatcher | null = null;
  if (loaded.path) {
    watcher = watchConfig(
      loaded.path,
      (next) => {
        config = adapt(next);
      },
      {
        initial: loaded.config,
        env,
        serverOverrides,
        logger: {
          info: (message) => logger.info(message),
          warn: (message) => logger.warn(message),
          error: (message) => logger.error(message),
        },
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
    );
  }
  const handler = createApp(deps);
  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    inFlight++;
    response.once('close', () => inFlight--);
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${boundPort}`;
  logger.info(
    { url, providers: config.providers.map((provider) => ({ id: provider.id, type: provider.type, baseUrl: provider.baseUrl })) },
    `Automodel listening on ${url}`,
  );

  return {
    server,
    url,
    config: () => config,
    reload: (reason = 'reload requested') => watcher?.reload(reason).applied ?? false,
    store,
    breakers,
    close() {
      closing ??= shutDown();
      return closing;
    },
  };

  /** Stops taking requests, waits (bounded) for those in flight, then flushes and closes everything. Runs once. */
  async function shutDown(): Promise<void> {
    draining = true;
    watcher?.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + 30_000;
    while (inFlight > 0 && Date.now() < deadline) await delay(10);
    server.closeAllConnections();
    await closed;
    stopRetention();
    await upstream.close();
    await store.close();
  }
}
