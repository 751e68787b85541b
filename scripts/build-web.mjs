#!/usr/bin/env node
/**
 * Builds the dashboard: bundles web/src/main.ts (with uPlot and the CSS it imports) into dist/web/assets/
 * with content-hashed names, and writes dist/web/index.html pointing at them. Everything ships with the
 * package, so the page works offline and loads nothing from other hosts.
 *
 * Fails when the first load (page + bundles) exceeds the budget, so growth is noticed at build time.
 * Usage: node scripts/build-web.mjs (no options)
 */
import { build } from 'esbuild';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const webRoot = join(repoRoot, 'web');
const outRoot = join(repoRoot, 'dist', 'web');
const assetsDir = join(outRoot, 'assets');
/** Budget for everything the page fetches before any API call, uncompressed. */
const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

await rm(outRoot, { recursive: true, force: true });
await mkdir(assetsDir, { recursive: true });

const result = await build({
  absWorkingDir: repoRoot,
  entryPoints: [join(webRoot, 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  tsconfig: join(webRoot, 'tsconfig.json'),
});

const outputs = Object.keys(result.metafile.outputs).map((path) => join(repoRoot, path));
const script = outputs.find((path) => path.endsWith('.js'));
const style = outputs.find((path) => path.endsWith('.css'));
if (script === undefined || style === undefined) throw new Error('build-web: esbuild produced no script or no stylesheet');

const template = await readFile(join(webRoot, 'index.html'), 'utf8');
if (!template.includes('<!-- assets -->')) throw new Error('build-web: web/index.html has no <!-- assets --> marker');
const tags = [
  `<link rel="stylesheet" href="/assets/${basename(style)}">`,
  `<script type="module" src="/assets/${basename(script)}"></script>`,
].join('\n    ');
const page = template.replace('<!-- assets -->', tags);
await writeFile(join(outRoot, 'index.html'), page);

const files = [join(outRoot, 'index.html'), script, style];
let total = 0;
let totalGzip = 0;
for (const file of files) {
  const bytes = (await stat(file)).size;
  const gzipBytes = gzipSync(await readFile(file), { level: 9 }).length;
  total += bytes;
  totalGzip += gzipBytes;
  console.log(`build-web: ${relative(repoRoot, file).padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(7)} KB  (${(gzipBytes / 1024).toFixed(1)} KB gzip)`);
}
console.log(`build-web: first load ${(total / 1024).toFixed(1)} KB (${(totalGzip / 1024).toFixed(1)} KB gzip), budget ${FIRST_LOAD_BUDGET_BYTES / 1024} KB`);
if (total > FIRST_LOAD_BUDGET_BYTES) {
  console.error('build-web: the dashboard exceeds its first-load budget');
  process.exit(1);
}
