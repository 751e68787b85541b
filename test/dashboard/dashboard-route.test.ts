/** The dashboard's static route: content types, caching, gzip, ETags, and no way out of the assets folder. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createDashboardRoutes } from '../../src/server/routes/dashboard.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function serve(root: string): Promise<{ server: Server; base: string }> {
  const routes = createDashboardRoutes({ root });
  const server = createServer((request, response) => void routes.handler(request, response, new URL(request.url ?? '/', 'http://local')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describe('dashboard static route', () => {
  let root: string;
  let base: string;
  let server: Server;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'automodel-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(root, 'assets', 'main-ABC123.js'), script);
    await writeFile(join(root, 'secret.txt'), 'not an asset');
    ({ server, base } = await serve(root));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });

  it('serves the page as revalidated HTML with a content security policy', async () => {
    const reply = await get(base, '/');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(reply.headers['cache-control'], 'no-cache');
    assert.match(String(reply.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(reply.body.toString(), '<!doctype html><title>t</title>');
    const again = await get(base, '/', { 'if-none-match': String(reply.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  it('serves hashed assets as immutable, gzipped when accepted', async () => {
    const plain = await get(base, '/assets/main-ABC123.js');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), script);
    const gzipped = await get(base, '/assets/main-ABC123.js', { 'accept-encoding': 'br, gzip;q=0.8' });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(gzipped.headers.vary, 'accept-encoding');
    assert.ok(gzipped.body.length < script.length / 10);
    assert.equal(gunzipSync(gzipped.body).toString(), script);
    const refused = await get(base, '/assets/main-ABC123.js', { 'accept-encoding': 'gzip;q=0' });
    assert.equal(refused.headers['content-encoding'], undefined);
    const head = await get(base, '/assets/main-ABC123.js', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('answers 404 for unknown or escaping asset paths and 405 for other methods', async () => {
    for (const path of ['/assets/missing.js', '/assets/..%2Fsecret.txt', '/assets/../secret.txt', '/assets/', '/assets/.hidden', '/other']) {
      assert.equal((await get(base, path)).status, 404, path);
    }
    assert.equal((await get(base, '/', {}, 'POST')).status, 405);
  });

  it('says how to build the dashboard when it is missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'automodel-web-empty-'));
    const missing = await serve(empty);
    try {
      const reply = await get(missing.base, '/');
      assert.equal(reply.status, 503);
      assert.match(reply.body.toString(), /npm run build/);
    } finally {
      await new Promise<void>((resolve) => missing.server.close(() => resolve()));
      await rm(empty, { recursive: true, force: true });
    }
  });
});
