/**
 * Serves the dashboard: the files `scripts/build-web.mjs` writes to `dist/web/` (an `index.html` and hashed
 * bundles under `assets/`). `GET /` answers the page, `GET /assets/<name>` a bundle. The page itself reads
 * only `/api/*`, so this module knows nothing about usage data.
 *
 * Files are read once and kept in memory with their gzip form (the whole dashboard is well under 300 KB),
 * so a page load costs no disk reads after the first. Hashed asset names never change content, so they are
 * cached for a year as immutable; the page is revalidated with an ETag so a rebuild shows up at once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** `(request, response, url)`, the shape of the app's route table entries. */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

export interface DashboardOptions {
  /** The built dashboard folder (holds `index.html` and `assets/`); default `defaultDashboardRoot()`. */
  root?: string;
}

export interface DashboardRoutes {
  /** Answers `GET`/`HEAD` for `/`, `/index.html` and `/assets/*`; anything else under those answers 404. */
  handler: DashboardHandler;
  /** The exact routes, keyed `METHOD /path`, for `createApp`'s `extraRoutes`. */
  extraRoutes: Record<string, DashboardHandler>;
  /** The prefix routes for `createApp`'s `prefixRoutes`. */
  prefixRoutes: Array<{ method: string; prefix: string; handler: DashboardHandler }>;
}

/** `dist/web`, found from this compiled file (`dist/src/server/routes/dashboard.js`), whatever the working directory. */
export function defaultDashboardRoot(): string {
  return fileURLToPath(new URL('../../../web/', import.meta.url));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Compressing text smaller than this saves less than the gzip header costs. */
const GZIP_MIN_BYTES = 1024;
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.map', '.txt']);

/**
 * The page runs only its own bundle and talks only to its own origin; uPlot sets inline styles, hence
 * `'unsafe-inline'` for styles alone.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface CachedFile {
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
  contentType: string;
}

/** Asset names the build produces: a flat name of safe characters, so no path can escape `assets/`. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Build the dashboard's route handlers over the files in `options.root`. */
export function createDashboardRoutes(options: DashboardOptions = {}): DashboardRoutes {
  const root = resolve(options.root ?? defaultDashboardRoot());
  const cache = new Map<string, Promise<CachedFile | null>>();

  function load(relativePath: string): Promise<CachedFile | null> {
    let entry = cache.get(relativePath);
    if (entry === undefined) {
      entry = readCached(join(root, relativePath));
      cache.set(relativePath, entry);
      // A missing file is not remembered: the dashboard may be built while the gateway runs.
      entry.then((file) => file === null && cache.delete(relativePath), () => cache.delete(relativePath));
    }
    return entry;
  }

  const handler: DashboardHandler = async (request, response, url) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      request.resume();
      return sendText(response, 405, 'Method not allowed.', { allow: 'GET, HEAD' });
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      const page = await load('index.html');
      if (page === null) {
        return sendText(response, 503, 'The dashboard is not built. Run `npm run build` (or `node scripts/build-web.mjs`) and reload.');
      }
      return sendFile(request, response, page, 'no-cache');
    }
    if (path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      const file = ASSET_NAME.test(name) ? await load(join('assets', name)) : null;
      if (file === null) return sendText(response, 404, 'No such dashboard asset.');
      // Names carry a content hash, so a given URL never changes.
      return sendFile(request, response, file, 'public, max-age=31536000, immutable');
    }
    return sendText(response, 404, 'Not found.');
  };

  return {
    handler,
    extraRoutes: { 'GET /': handler, 'HEAD /': handler, 'GET /index.html': handler },
    prefixRoutes: [
      { method: 'GET', prefix: '/assets/', handler },
      { method: 'HEAD', prefix: '/assets/', handler },
    ],
  };
}

async function readCached(filePath: string): Promise<CachedFile | null> {
  let body: Buffer;
  try {
    body = await readFile(filePath);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  const extension = extname(filePath).toLowerCase();
  const gzipped = COMPRESSIBLE.has(extension) && body.length >= GZIP_MIN_BYTES ? gzipSync(body, { level: 9 }) : null;
  return {
    body,
    gzipped: gzipped !== null && gzipped.length < body.length ? gzipped : null,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text.split(',').some((part) => {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

function sendFile(request: IncomingMessage, response: ServerResponse, file: CachedFile, cacheControl: string): void {
  const headers: Record<string, string | number> = {
    'content-type': file.contentType,
    'cache-control': cacheControl,
    etag: file.etag,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (file.contentType.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  if (file.gzipped !== null) headers.vary = 'accept-encoding';
  if (request.headers['if-none-match'] === file.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const useGzip = file.gzipped !== null && acceptsGzip(request);
  const body = useGzip && file.gzipped !== null ? file.gzipped : file.body;
  if (useGzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendText(response: ServerResponse, status: number, text: string, extraHeaders: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  response.end(text);
}
