import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CompiledConfig } from './compiled.js';
import { watchConfig, type ConfigLogger } from './watch.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-watch-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const ENV = { ANTHROPIC_API_KEY: 'sk-ant' };
const GOOD = 'inference:\n  threshold: 0.7\n';
const BETTER = 'inference:\n  threshold: 0.9\n';
const BROKEN = 'inference:\n  threshold: 9\n';

function recorder(): ConfigLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (message) => lines.push(`info ${message}`), warn: (message) => lines.push(`warn ${message}`), error: (message) => lines.push(`error ${message}`) };
}

function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('timed out waiting for the reload'));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('watchConfig', () => {
  it('reload(): a broken edit keeps the last good config and logs why; a good edit swaps', () => {
    const path = join(directory, 'manual.yaml');
    writeFileSync(path, GOOD);
    const logger = recorder();
    const seen: CompiledConfig[] = [];
    const watcher = watchConfig(path, (config) => seen.push(config), { env: ENV, logger, cwd: directory });
    try {
      const first = watcher.current();
      assert.equal(first.inference.threshold, 0.7);

      writeFileSync(path, BROKEN);
      const failed = watcher.reload('SIGHUP');
      assert.equal(failed.applied, false);
      assert.equal(watcher.current(), first);
      assert.equal(seen.length, 0);
      assert.deepEqual(logger.lines, [
        `error config SIGHUP: 1 error in ${path}; keeping the previous config`,
        'error manual.yaml:2:14 error inference.threshold: expected a number from 0 to 1, found number 9',
      ]);

      writeFileSync(path, BETTER);
      const applied = watcher.reload('SIGHUP');
      assert.equal(applied.applied, true);
      assert.equal(watcher.current().inference.threshold, 0.9);
      assert.deepEqual(seen, [watcher.current()]);
      assert.equal(logger.lines.at(-1), `info config SIGHUP: ${path} applied`);
    } finally {
      watcher.close();
    }
  });

  it('picks up file changes (including save-by-rename), debounced, and survives a broken one', async () => {
    const path = join(directory, 'automodel.yaml');
    writeFileSync(path, GOOD);
    const logger = recorder();
    const seen: number[] = [];
    const watcher = watchConfig(path, (config) => seen.push(config.inference.threshold), { env: ENV, logger, debounceMs: 50 });
    try {
      writeFileSync(path, BROKEN);
      await waitFor(() => logger.lines.some((line) => line.startsWith('error config file changed')));
      assert.equal(watcher.current().inference.threshold, 0.7);
      assert.deepEqual(seen, []);

      // Editors often write a temporary file and rename it over the original.
      const temporary = join(directory, '.automodel.yaml.tmp');
      writeFileSync(temporary, BETTER);
      renameSync(temporary, path);
      await waitFor(() => seen.length === 1);
      assert.deepEqual(seen, [0.9]);
      assert.equal(watcher.current().inference.threshold, 0.9);

      // Several writes in a burst make one reload.
      for (const threshold of ['0.1', '0.2', '0.3']) writeFileSync(path, `inference:\n  threshold: ${threshold}\n`);
      await waitFor(() => seen.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(seen, [0.9, 0.3]);
    } finally {
      watcher.close();
    }
  });

  it('warns that a new address needs a restart', () => {
    const path = join(directory, 'port.yaml');
    writeFileSync(path, 'server:\n  port: 4100\n');
    const logger = recorder();
    const watcher = watchConfig(path, () => {}, { env: ENV, logger });
    try {
      writeFileSync(path, 'server:\n  port: 4200\n');
      assert.equal(watcher.reload().applied, true);
      assert.ok(logger.lines.includes('warn config reload requested: server.host/server.port changed; restart to listen on 127.0.0.1:4200 (the rest applies now)'));
    } finally {
      watcher.close();
    }
  });

  it('names the settings a reload cannot change (store, retention, breaker) and applies the rest', () => {
    const path = join(directory, 'restart-only.yaml');
    writeFileSync(path, 'retention:\n  days: 30\ninference:\n  threshold: 0.7\n');
    const logger = recorder();
    const watcher = watchConfig(path, () => {}, { env: ENV, logger });
    try {
      writeFileSync(path, 'retention:\n  days: 7\nstore:\n  sqlitePath: other.db\nfallback:\n  breaker: { cooldownMs: 5000 }\ninference:\n  threshold: 0.8\n');
      assert.equal(watcher.reload().applied, true);
      assert.equal(watcher.current().inference.threshold, 0.8);
      assert.ok(
        logger.lines.includes('warn config reload requested: store.sqlitePath, retention.days, fallback.breaker changed; that takes a restart (the rest applies now)'),
        logger.lines.join('\n'),
      );
      // Only what changed is named; an unchanged file warns about nothing.
      writeFileSync(path, 'retention:\n  days: 7\nstore:\n  sqlitePath: other.db\nfallback:\n  breaker: { cooldownMs: 5000 }\ninference:\n  threshold: 0.9\n');
      const before = logger.lines.length;
      assert.equal(watcher.reload().applied, true);
      assert.deepEqual(logger.lines.slice(before).filter((line) => line.startsWith('warn')), []);
    } finally {
      watcher.close();
    }
  });

  it('follows a Kubernetes ConfigMap update (the ..data symlink swapped; the file name itself never changes)', async () => {
    const volume = join(directory, 'configmap');
    mkdirSync(join(volume, '..v1'), { recursive: true });
    writeFileSync(join(volume, '..v1', 'automodel.yaml'), GOOD);
    symlinkSync('..v1', join(volume, '..data'));
    symlinkSync(join('..data', 'automodel.yaml'), join(volume, 'automodel.yaml'));
    const logger = recorder();
    const seen: number[] = [];
    const watcher = watchConfig(join(volume, 'automodel.yaml'), (config) => seen.push(config.inference.threshold), { env: ENV, logger, debounceMs: 50 });
    try {
      assert.equal(watcher.current().inference.threshold, 0.7);
      // What the kubelet does: write the new version beside the old one, then rename a new symlink over ..data.
      mkdirSync(join(volume, '..v2'));
      writeFileSync(join(volume, '..v2', 'automodel.yaml'), BETTER);
      symlinkSync('..v2', join(volume, '..data_tmp'));
      renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
      await waitFor(() => seen.length === 1);
      assert.deepEqual(seen, [0.9]);
    } finally {
      watcher.close();
    }
  });

  it('refuses to start on a broken file when no initial config is given', () => {
    const path = join(directory, 'broken.yaml');
    writeFileSync(path, BROKEN);
    assert.throws(() => watchConfig(path, () => {}, { env: ENV, logger: recorder() }), /inference\.threshold: expected a number from 0 to 1/);
  });
});
