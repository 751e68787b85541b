import { pino } from 'pino';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/main.js';
import type { UsageRecord } from '../../src/usage/types.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';

export interface GatewayUnderTest {
  gateway: RunningGateway;
  mock: MockUpstream;
  /** Gateway base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Usage records the gateway produced, in completion order. */
  records: UsageRecord[];
  close(): Promise<void>;
}

export const TEST_KEYS = {
  openrouter: 'sk-or-test-secret-0123456789',
  openai: 'sk-openai-test-secret-0123456789',
  anthropic: 'sk-ant-test-secret-0123456789',
};

/**
 * A real gateway on a free loopback port, with providers pointing at a fresh mock upstream.
 * `providers` picks which provider environment variables are set (in preference order as the gateway sees them).
 */
export async function startGatewayWithMock(
  providers: Array<'openrouter' | 'openai' | 'anthropic'> = ['openrouter'],
  extraEnv: Record<string, string> = {},
  gatewayOptions: Partial<GatewayOptions> = {},
): Promise<GatewayUnderTest> {
  const mock = await startMockUpstream();
  const env: Record<string, string> = { AUTOMODEL_DB: ':memory:', ...extraEnv };
  if (providers.includes('openrouter')) {
    env.OPENROUTER_API_KEY = TEST_KEYS.openrouter;
    env.OPENROUTER_BASE_URL = `${mock.url}/api/v1`;
  }
  if (providers.includes('openai')) {
    env.OPENAI_API_KEY = TEST_KEYS.openai;
    env.OPENAI_BASE_URL = `${mock.url}/v1`;
  }
  if (providers.includes('anthropic')) {
    env.ANTHROPIC_API_KEY = TEST_KEYS.anthropic;
    env.ANTHROPIC_BASE_URL = mock.url;
  }
  const records: UsageRecord[] = [];
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    env,
    logger: pino({ level: 'silent' }),
    onRecord: (record) => void records.push(record),
    sleep: async () => {},
    ...gatewayOptions,
  });
  return {
    gateway,
    mock,
    url: gateway.url,
    records,
    async close() {
      await gateway.close();
      await mock.close();
    },
  };
}

/** Polls until `predicate` holds (records are written just before the last byte, so they may trail the client by a tick). */
export async function eventually(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
