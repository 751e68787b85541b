import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { compileConfig } from './config/compile.js';
import type { CompiledConfig } from './config/compiled.js';
import { providersFromEnv } from './config/env-providers.js';
import { createUpstreamClient } from './providers/upstream-client.js';
import { createApp, type AppDeps } from './server/app.js';
import type { UsageSink } from './server/pipeline.js';

export interface GatewayOptions {
  host?: string;
  port?: number;
  /** Environment to read providers from; the process environment by default. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  usage?: UsageSink;
}

export interface RunningGateway {
  server: Server;
  url: string;
  config: CompiledConfig;
  close(): Promise<void>;
}

/** Secrets never reach a log line, whatever an object carries. */
const REDACT_PATHS = ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]', '*.headers.authorization', '*.headers["x-api-key"]'];

export function createLogger(env: Record<string, string | undefined>): Logger {
  return pino({ level: env.LOG_LEVEL ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined });
}

/**
 * The composition root: the only place that reads the environment, opens stores and listens. Everything it builds is
 * handed to `createApp` as dependencies.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(env);
  const envPort = env.PORT ? Number(env.PORT) : undefined;
  const config = compileConfig({
    providers: providersFromEnv(env),
    server: {
      ...(options.host ? { host: options.host } : {}),
      ...((options.port ?? envPort) !== undefined ? { port: (options.port ?? envPort)! } : {}),
    },
  });
  const upstream = createUpstreamClient({ connectTimeoutMs: config.providers[0]?.timeouts.connectMs ?? 10_000 });
  const usage: UsageSink = options.usage ?? { record: async () => {} };
  let draining = false;
  const deps: AppDeps = {
    getConfig: () => config,
    upstream,
    usage,
    logger,
    now: () => Date.now(),
    isDraining: () => draining,
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, createApp(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  for (const diagnostic of config.diagnostics) logger.warn(diagnostic);
  logger.info(
    { url, providers: config.providers.map((provider) => ({ id: provider.id, baseUrl: provider.baseUrl })) },
    `Automodel listening on ${url}`,
  );

  return {
    server,
    url,
    config,
    async close() {
      draining = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await upstream.close();
    },
  };
}
