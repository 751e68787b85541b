/**
 * Hot reload. The file's directory is watched (editors often save by writing a temporary file and renaming it over the
 * original, which a watch on the file itself would lose), events are debounced, and each change is loaded, validated
 * and compiled. Only a config with no error is handed to `onChange`; a broken edit leaves the last good config in
 * place and the reasons go to the logger.
 *
 * The swap is atomic because a compiled config is one immutable object: the server keeps it in one variable, and each
 * request reads that variable once when it starts, so requests in flight finish on the config they began with.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CompiledConfig } from './compiled.js';
import { loadConfigFile, type LoadOptions, type LoadResult } from './load.js';
import { formatProblem } from './problems.js';

/** Where reload news goes; a pino logger fits. */
export interface ConfigLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WatchConfigOptions extends LoadOptions {
  /** The config already loaded from `path` at start-up; without it, the file is loaded now and must be valid. */
  initial?: CompiledConfig;
  logger: ConfigLogger;
  /** Quiet period after the last file event before reloading (default 100 ms). */
  debounceMs?: number;
}

/** The outcome of one reload. */
export interface ReloadOutcome extends LoadResult {
  /** True when the new config replaced the old one. */
  applied: boolean;
}

export interface ConfigWatcher {
  /** The last good config. */
  current(): CompiledConfig;
  /** Load the file now (call it on SIGHUP). A file identical to the current one is reloaded all the same. */
  reload(reason?: string): ReloadOutcome;
  /** Stop watching; pending debounced reloads are dropped. */
  close(): void;
}

export function watchConfig(path: string, onChange: (config: CompiledConfig) => void, options: WatchConfigOptions): ConfigWatcher {
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 100;
  let current: CompiledConfig;
  if (options.initial) {
    current = options.initial;
  } else {
    const first = loadConfigFile(path, options);
    if (!first.ok || !first.config) {
      throw new Error(`cannot load ${path}:\n${first.problems.map((problem) => formatProblem(problem)).join('\n')}`);
    }
    current = first.config;
  }
  // What the file held at the last reload: editors fire several events per save, and a file touched without a change
  // must not log a reload.
  let lastText: string | null = readText(path);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const reload = (reason = 'reload requested'): ReloadOutcome => {
    lastText = readText(path);
    const result = loadConfigFile(path, options);
    if (!result.ok || !result.config) {
      const errors = result.problems.filter((problem) => problem.severity === 'error');
      logger.error(`config ${reason}: ${errors.length} error${errors.length === 1 ? '' : 's'} in ${path}; keeping the previous config`);
      for (const problem of errors) logger.error(formatProblem(problem));
      return { ...result, applied: false };
    }
    for (const problem of result.problems) if (problem.severity === 'warning') logger.warn(formatProblem(problem));
    const next = result.config;
    if (next.server.host !== current.server.host || next.server.port !== current.server.port) {
      logger.warn(`config ${reason}: server.host/server.port changed; restart to listen on ${next.server.host}:${next.server.port} (the rest applies now)`);
    }
    const restartOnly = restartOnlyChanges(current, next);
    if (restartOnly.length > 0) {
      logger.warn(`config ${reason}: ${restartOnly.join(', ')} changed; that takes a restart (the rest applies now)`);
    }
    current = next;
    onChange(next);
    logger.info(`config ${reason}: ${path} applied`);
    return { ...result, applied: true };
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (closed) return;
      const text = readText(path);
      if (text !== null && text === lastText) return;
      reload('file changed');
    }, debounceMs);
    timer.unref();
  };

  const fileName = basename(path);
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      // Some platforms omit the name; reloading an unchanged file is harmless (it is compared first). Kubernetes
      // ConfigMap volumes update by swapping a `..data` symlink, so the file's own name never shows up: watch those too.
      const name = changed?.toString();
      if (!name || name === fileName || name.startsWith('..')) schedule();
    });
    watcher.on('error', (error) => logger.error(`config watch on ${dirname(path)} failed: ${error.message}; SIGHUP still reloads`));
  } catch (error) {
    logger.error(`cannot watch ${dirname(path)} (${(error as Error).message}); SIGHUP still reloads`);
  }

  return {
    current: () => current,
    reload,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Settings the running gateway reads only at start-up (the usage store it opened, the retention timer, the circuit
 * breakers it built), so a reload cannot change them: they are named in a warning instead of being silently ignored.
 */
export function restartOnlyChanges(current: CompiledConfig, next: CompiledConfig): string[] {
  const changed: string[] = [];
  if (current.store.sqlitePath !== next.store.sqlitePath) changed.push('store.sqlitePath');
  if (current.store.databaseUrl !== next.store.databaseUrl) changed.push('store.databaseUrl');
  if (current.retention.days !== next.retention.days) changed.push('retention.days');
  const breaker = current.fallback.breaker;
  if (breaker.failureThreshold !== next.fallback.breaker.failureThreshold || breaker.cooldownMs !== next.fallback.breaker.cooldownMs) {
    changed.push('fallback.breaker');
  }
  return changed;
}
