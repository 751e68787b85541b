/**
 * The context-window check at the HTTP boundary: a candidate whose window the request cannot fit is skipped, and the
 * request goes to the next (`x-automodel-model` names the upstream model). Images count by their token allowance, not their bytes: a small body with images can fill a
 * small window, and the bound that lets most requests skip the estimate must see them (it counts them during the scan of
 * the body, not with a search of its own).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-context-'));

/** `small-coder` (a 4,000-token window) first in the implementation tier, claude-sonnet-4-5 after it. */
const YAML = `providers:
  local:
    type: openai-compatible
    baseUrl: \${MOCK_URL}/v1
    apiKey: sk-local-0123
    models: { small-coder: small-coder }
  router:
    type: openrouter
    baseUrl: \${MOCK_URL}/api/v1
    apiKey: sk-router-0123
models:
  small-coder: { contextWindow: 4000, prices: { input: 0, output: 0 } }
virtualModels:
  kilo/auto:
    tiers:
      reasoning: [claude-opus-4-5]
      implementation: [small-coder, claude-sonnet-4-5]
    modes:
      code: implementation
      plan: reasoning
`;

function imagePart(format: 'openai' | 'anthropic'): Record<string, unknown> {
  return format === 'openai'
    ? { type: 'image_url', image_url: { url: 'https://example.com/screenshot.png' } }
    : { type: 'image', source: { type: 'url', url: 'https://example.com/screenshot.png' } };
}

describe('context window: images count by allowance', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  before(async () => {
    mock = await startMockUpstream();
    const path = join(directory, 'automodel.yaml');
    writeFileSync(path, YAML);
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      configPath: path,
      cwd: directory,
      env: { AUTOMODEL_DB: ':memory:', MOCK_URL: mock.url },
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
  });
  after(async () => {
    await gateway.close();
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const ask = async (images: number, path = '/v1/chat/completions'): Promise<string | null> => {
    const anthropic = path === '/v1/messages';
    const content = [{ type: 'text', text: 'What is wrong in these screenshots?' }, ...Array.from({ length: images }, () => imagePart(anthropic ? 'anthropic' : 'openai'))];
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code', ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}) },
      body: JSON.stringify({ model: 'kilo/auto', max_tokens: 100, messages: [{ role: 'user', content }] }),
    });
    await response.text();
    assert.equal(response.status, 200);
    return response.headers.get('x-automodel-model');
  };

  it('a short text request fits the small window and is served there', async () => {
    assert.equal(await ask(0), 'small-coder');
  });

  it('the same request with four images (under 1 KB of JSON) does not fit it: the next candidate serves', async () => {
    assert.equal(await ask(4), 'anthropic/claude-sonnet-4.5');
    assert.equal(await ask(4, '/v1/messages'), 'anthropic/claude-sonnet-4.5');
  });
});
