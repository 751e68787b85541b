/**
 * The dashboard end to end: the real gateway (mock upstream, in-memory SQLite store) serves the built page,
 * headless Debian Chromium (driven by playwright-core, never a downloaded browser) loads it, and we check
 * that what a person sees matches exactly the requests we sent. Screenshots go to test-artifacts/.
 *
 * Needs /usr/bin/chromium: `bash scripts/setup-test-deps.sh` installs it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunningGateway } from '../../src/main.js';
import { createDashboardRoutes } from '../../src/server/routes/dashboard.js';
import type { UsageRecord } from '../../src/usage/types.js';
import type { MockScript } from '../mock-upstream/index.js';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const SKIP = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: run bash scripts/setup-test-deps.sh`;

/** One request of the known mix, and what its table row must show. */
interface Sent {
  mode: string | null;
  script?: MockScript;
  expected: { mode: string; source: string; model: string; tokens: string; cost: string; status: string; attempts: string };
}

// Prices (per million tokens): Sonnet 4.5 $3 in / $15 out, Opus 4.5 $5 / $25. The mock's default usage is 100 in / 20 out.
const MIX: Sent[] = [
  { mode: 'code', expected: { mode: 'code', source: 'header', model: 'claude-sonnet-4-5', tokens: '100 → 20', cost: '$0.0006', status: '200', attempts: '1' } },
  { mode: 'code', expected: { mode: 'code', source: 'header', model: 'claude-sonnet-4-5', tokens: '100 → 20', cost: '$0.0006', status: '200', attempts: '1' } },
  {
    mode: 'debug',
    script: { usage: { input: 2000, output: 400 } },
    expected: { mode: 'debug', source: 'header', model: 'claude-sonnet-4-5', tokens: '2,000 → 400', cost: '$0.01', status: '200', attempts: '1' },
  },
  { mode: 'plan', expected: { mode: 'plan', source: 'header', model: 'claude-opus-4-5', tokens: '100 → 20', cost: '$0.001', status: '200', attempts: '1' } },
  {
    mode: 'architect',
    script: { usage: { input: 1000, output: 200 } },
    expected: { mode: 'architect', source: 'header', model: 'claude-opus-4-5', tokens: '1,000 → 200', cost: '$0.01', status: '200', attempts: '1' },
  },
  { mode: null, expected: { mode: 'none', source: 'default', model: 'claude-sonnet-4-5', tokens: '100 → 20', cost: '$0.0006', status: '200', attempts: '1' } },
  {
    mode: 'code',
    script: { fault: 'status', status: 400, errorMessage: 'prompt is malformed' },
    expected: { mode: 'code', source: 'header', model: 'claude-sonnet-4-5', tokens: '— → —', cost: '—', status: '400', attempts: '1' },
  },
];
// cost 0.0248, baseline 0.034 (every priced request at Opus prices), savings 0.0092 = 27.06 % of the baseline.
const EXPECTED_CARDS = { requests: '7', cost: '$0.02', baseline: '$0.03', savings: '$0.0092', 'savings-pct': '27.1%' };

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Build dist/web from web/ (fast with esbuild), so the test never sees a stale bundle. */
function buildDashboard(): void {
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { cwd: process.cwd(), stdio: 'pipe' });
}

/**
 * Until the app's route table serves the dashboard itself, mount its routes in front of the gateway's
 * own request listener, so the page and the real API share one origin exactly as in production.
 */
async function ensureDashboardRoute(gateway: RunningGateway): Promise<void> {
  const probe = await fetch(`${gateway.url}/`);
  await probe.arrayBuffer();
  if (probe.ok && (probe.headers.get('content-type') ?? '').startsWith('text/html')) return;
  const routes = createDashboardRoutes();
  const [original] = gateway.server.listeners('request') as Array<(...args: unknown[]) => void>;
  assert.ok(original, 'the gateway has a request listener');
  gateway.server.removeAllListeners('request');
  gateway.server.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', 'http://gateway.local');
    const dashboardPath = url.pathname === '/' || url.pathname.startsWith('/assets/');
    if (dashboardPath && (request.method === 'GET' || request.method === 'HEAD')) void routes.handler(request, response, url);
    else original.call(gateway.server, request, response);
  });
}

async function sendMessage(baseUrl: string, mode: string | null): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'x' };
  if (mode !== null) headers['x-kilocode-mode'] = mode;
  const response = await fetch(`${baseUrl}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'kilo/auto', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
}

async function launch(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: LAUNCH_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
}

/** Collects console errors and uncaught page errors; the test asserts there are none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  return errors;
}

const cell = (page: Page, id: string, column: string): Promise<string> =>
  page.locator(`#requests-body tr[data-id="${id}"] td[data-col="${column}"]`).innerText();

describe('dashboard in headless Chromium', { skip: SKIP }, () => {
  let harness: GatewayUnderTest;
  let context: BrowserContext;
  let profile: string;

  before(async () => {
    buildDashboard();
    await mkdir(ARTIFACTS, { recursive: true });
    harness = await startGatewayWithMock(['anthropic']);
    await ensureDashboardRoute(harness.gateway);
    profile = await mkdtemp(join(tmpdir(), 'automodel-chromium-'));
    context = await launch(profile);
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the empty state, then exactly the requests sent, live, with their decisions', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    const assetBytes: number[] = [];
    page.on('response', async (response) => {
      const path = new URL(response.url()).pathname;
      if (path === '/' || path.startsWith('/assets/')) assetBytes.push((await response.body()).length);
    });

    // 1. Empty store: the onboarding tells a new user how to connect, with this gateway's address filled in.
    await page.goto(`${harness.url}/`);
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.locator('#onboarding').isVisible(), true);
    assert.equal(await page.locator('#overview').isVisible(), false);
    const kilo = await page.locator('#onboarding [data-snippet="kilo-cli"] code').innerText();
    assert.ok(kilo.includes(`KILO_API_URL=${harness.url}`), kilo);
    assert.ok((await page.locator('#onboarding [data-snippet="claude-code"] code').innerText()).includes(`ANTHROPIC_BASE_URL=${harness.url}`));
    assert.equal(await page.locator('#onboarding button.copy').count(), 5);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-empty-light.png'), fullPage: true });
    const firstLoad = assetBytes.reduce((sum, bytes) => sum + bytes, 0);
    assert.ok(firstLoad > 0 && firstLoad < 300 * 1024, `first load ${firstLoad} bytes`);

    // 2. Send the known mix; the open page picks it up by polling.
    for (const sent of MIX) {
      if (sent.script) harness.mock.enqueue(sent.script);
      await sendMessage(harness.url, sent.mode);
    }
    const stored = (await (await fetch(`${harness.url}/api/requests?limit=50`)).json()) as { data: UsageRecord[] };
    assert.equal(stored.data.length, MIX.length);
    const newestFirst = [...MIX].reverse();

    await page.waitForSelector(`#requests-body tr[data-id="${stored.data[0]!.id}"]`, { timeout: 5000 });
    await page.waitForFunction((expected) => document.querySelector('[data-card="requests"] .card-value')?.textContent === expected, EXPECTED_CARDS.requests);
    assert.equal(await page.locator('#onboarding').isVisible(), false);

    // 3. Cards: exactly the totals of the mix.
    for (const [name, value] of Object.entries(EXPECTED_CARDS)) {
      assert.equal(await page.locator(`[data-card="${name}"] .card-value`).innerText(), value, `card ${name}`);
    }
    assert.match(await page.locator('[data-card="requests"] .card-sub').innerText(), /^1 error/);

    // 4. Table: one row per request, newest first, each cell as sent.
    assert.equal(await page.locator('#requests-body tr[data-id]').count(), MIX.length);
    const rowIds = await page.locator('#requests-body tr[data-id]').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    assert.deepEqual(rowIds, stored.data.map((record) => record.id));
    for (const [index, record] of stored.data.entries()) {
      const expected = newestFirst[index]!.expected;
      assert.equal(await cell(page, record.id, 'mode'), `${expected.mode} ${expected.source}`, `row ${index} mode`);
      assert.equal(await cell(page, record.id, 'model'), expected.model, `row ${index} model`);
      assert.equal(await cell(page, record.id, 'tokens'), expected.tokens, `row ${index} tokens`);
      assert.equal(await cell(page, record.id, 'cost'), expected.cost, `row ${index} cost`);
      assert.equal(await cell(page, record.id, 'status'), expected.status, `row ${index} status`);
      assert.equal(await cell(page, record.id, 'attempts'), expected.attempts, `row ${index} attempts`);
    }

    // 5. Breakdowns and health reflect the same mix.
    await page.waitForSelector('#mode-tier tr[data-mode="code"]');
    assert.equal(await page.locator('#mode-tier tr[data-mode="code"] td.num').innerText(), '3');
    assert.equal(await page.locator('#mode-tier tr[data-mode="architect"] td.num').innerText(), '1');
    assert.match(await page.locator('#mode-source li[data-key="header"]').innerText(), /6 · 85\.7%/);
    assert.match(await page.locator('#mode-source li[data-key="default"]').innerText(), /1 · 14\.3%/);
    assert.ok((await page.locator('#latency tbody tr').count()) >= 2);
    assert.ok((await page.locator('#health tbody tr').count()) >= 2);
    assert.equal(await page.locator('#chart-requests canvas').count(), 1);
    assert.equal(await page.locator('#chart-cost canvas').count(), 1);

    // 6. Click a row: the dialog shows that request's full decision.
    const architect = stored.data.find((record) => record.mode === 'architect')!;
    await page.locator(`#requests-body tr[data-id="${architect.id}"]`).click();
    await page.waitForSelector('#detail[open] [data-testid="decision-reason"]');
    const path = await page.locator('[data-testid="decision-path"]').innerText();
    for (const part of ['architect', 'header', 'reasoning', 'claude-opus-4-5']) assert.ok(path.includes(part), `decision path shows ${part}: ${path}`);
    // The stored reason is ASCII (` -> `); the dashboard draws arrows.
    assert.equal(await page.locator('[data-testid="decision-reason"]').innerText(), architect.reason!.replaceAll(' -> ', ' → '));
    assert.ok((await page.locator('#detail-body').textContent())?.includes('Attempts (1)'));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-detail-light.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#detail:not([open])', { state: 'attached' });
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id), architect.id, 'focus returns to the row');

    // 7. Keyboard: arrow to the failed request's row and open it with Enter.
    const failed = stored.data.find((record) => record.status === 400)!;
    await page.locator(`#requests-body tr[data-id="${stored.data[0]!.id}"]`).focus();
    assert.equal(failed.id, stored.data[0]!.id);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail[open] .error-box');
    assert.ok((await page.locator('#detail .error-box').innerText()).length > 0);
    await page.keyboard.press('Escape');

    // Switching the period reloads the aggregates for it (all seven requests are in the last hour too).
    await page.locator('#period button[data-value="1h"]').click();
    await page.waitForFunction(() => document.getElementById('period-summary')?.textContent === '7 requests in the last hour');
    assert.equal(await page.locator('#period button[data-value="1h"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('[data-card="cost"] .card-value').innerText(), EXPECTED_CARDS.cost);
    await page.locator('#stack-by button[data-value="model"]').click();
    await page.waitForFunction(() => [...document.querySelectorAll('#chart-requests .u-legend .u-label')].some((label) => label.textContent === 'claude-opus-4-5'));

    // 8. Light and dark screenshots of the full page (from the top, so the sticky header sits where it belongs).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(15, 17, 21)', 'dark theme applies from prefers-color-scheme');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });

    // The toggle overrides the system preference.
    await page.locator('#theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await page.locator('#theme-toggle').click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.locator('#theme-toggle').click();

    // Narrow screens: the layout reflows to one column without horizontal page scroll.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px on a phone`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-mobile-dark.png'), fullPage: true });

    assert.deepEqual(errors, []);
    await page.close();
  });

  it('renders within a second with 10,000 stored requests (aggregates plus a bounded sample)', async () => {
    const loaded = await startGatewayWithMock(['anthropic']);
    try {
      await ensureDashboardRoute(loaded.gateway);
      const now = Date.now();
      const records = Array.from({ length: 10_000 }, (_, index) => syntheticRecord(index, now - (index * 30 * 86_400_000) / 10_000));
      await Promise.all(records.map((record) => loaded.gateway.store.record(record)));
      await loaded.gateway.store.flush();

      const page = await context.newPage();
      const errors = watchErrors(page);
      const apiPaths: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/api/')) apiPaths.push(`${url.pathname}${url.search}`);
      });
      await page.goto(`${loaded.url}/?period=30d`);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 5000 });
      const readyMs = Number(await page.evaluate(() => document.documentElement.dataset.readyMs));
      assert.ok(readyMs < 1000, `first full render took ${readyMs} ms`);
      assert.equal(await page.locator('[data-card="requests"] .card-value').innerText(), '10,000');
      assert.equal(await page.locator('#requests-body tr[data-id]').count(), 25);
      // Never the whole table: every list call is bounded.
      for (const path of apiPaths.filter((entry) => entry.startsWith('/api/requests?'))) {
        const limit = Number(new URLSearchParams(path.split('?')[1]).get('limit'));
        assert.ok(limit > 0 && limit <= 500, path);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-10k-30d-light.png'), fullPage: true });
      assert.deepEqual(errors, []);
      console.log(`# 10,000 stored requests: first full render in ${readyMs} ms, ${apiPaths.length} API calls`);
      await page.close();
    } finally {
      await loaded.close();
    }
  });
});

const MODES = ['code', 'code', 'debug', 'plan', 'architect', 'ask', 'orchestrator', null] as const;

/** A plausible stored request for the load test: a spread of modes, tiers, sources, sizes and a few errors. */
function syntheticRecord(index: number, time: number): UsageRecord {
  const mode = MODES[index % MODES.length] ?? null;
  const reasoning = mode === 'plan' || mode === 'architect' || mode === 'ask' || mode === 'orchestrator';
  const failed = index % 97 === 0;
  const input = 500 + (index % 13) * 250;
  const output = 50 + (index % 7) * 40;
  const cost = failed ? null : reasoning ? (input * 5 + output * 25) / 1e6 : (input * 3 + output * 15) / 1e6;
  const model = reasoning ? 'claude-opus-4-5' : 'claude-sonnet-4-5';
  return {
    id: `synthetic-${index}`,
    time: Math.round(time),
    clientProtocol: index % 3 === 0 ? 'anthropic-messages' : 'openai-chat',
    route: index % 3 === 0 ? '/v1/messages' : '/v1/chat/completions',
    clientName: index % 2 === 0 ? 'kilo-cli' : 'claude-code',
    sessionId: `session-${index % 40}`,
    mode,
    modeSource: mode === null ? 'default' : index % 5 === 0 ? 'inferred' : 'header',
    tier: reasoning ? 'reasoning' : 'implementation',
    requestedModel: 'kilo/auto',
    servedModel: failed ? null : model,
    provider: failed ? null : 'anthropic',
    attempts: [{ provider: 'anthropic', model, status: failed ? 500 : 200, failureClass: failed ? 'server' : null, durationMs: 300 + (index % 50) * 20 }],
    status: failed ? 502 : 200,
    errorCode: failed ? 'upstream_error' : null,
    inputTokens: failed ? null : input,
    outputTokens: failed ? null : output,
    cacheReadTokens: failed ? null : 0,
    cacheWriteTokens: failed ? null : 0,
    reasoningTokens: null,
    tokensEstimated: false,
    costUsd: cost,
    costSource: failed ? 'unknown' : 'catalog',
    baselineCostUsd: failed ? null : (input * 5 + output * 25) / 1e6,
    ttfbMs: failed ? null : 120 + (index % 30) * 10,
    durationMs: 300 + (index % 50) * 20,
    streamed: index % 2 === 0,
    aborted: false,
    reason: `mode '${mode ?? 'none'}' -> ${reasoning ? 'reasoning' : 'implementation'} tier -> ${model} via anthropic`,
    detail: { diagnostics: [], inference: null, skipped: [], error: failed ? 'upstream answered 500' : null },
  };
}

