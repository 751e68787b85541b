/**
 * `automodel config check [file]`, `config schema`, `config init [--force]`; plus the helpers the other config-reading
 * commands (route, models) share: I/O injection, colour, usage-error exit codes and loading a config or failing cleanly.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { CompiledConfig } from '../../config/compiled.js';
import { loadConfig, loadConfigFile, resolveConfigPath, type LoadResult } from '../../config/load.js';
import { formatProblem } from '../../config/problems.js';
import { configJsonSchema } from '../../config/schema.js';
import { STARTER_CONFIG, STARTER_FILE_NAME } from '../../config/starter.js';

/** What a command touches, injectable for tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A user error: the CLI prints `automodel: <message>` and exits 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export function resolveIo(io: Partial<CliIo> = {}): CliIo {
  return { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env, cwd: io.cwd ?? process.cwd() };
}

/** Colour only on a terminal, and never when NO_COLOR is set. */
export function useColour(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export function paint(colour: boolean, code: string, text: string): string {
  return colour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/**
 * Commands mounted with `addCommand` do not inherit the program's settings, so each sets its own: a usage error
 * (unknown option, missing argument) exits 2 after showing the help hint; `--help` exits 0.
 */
export function withUsageExit(command: Command): Command {
  command.showHelpAfterError().exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });
  for (const subcommand of command.commands) withUsageExit(subcommand);
  return command;
}

/** Loads the config a command should use (`--config`, AUTOMODEL_CONFIG, ./automodel.yaml, or zero config), or fails with every error. */
export function loadConfigForCli(io: CliIo, flag: string | undefined): CompiledConfig {
  const result = loadConfig({ flag, env: io.env, cwd: io.cwd });
  if (!result.ok || !result.config) {
    reportProblems(io, result, 'error');
    throw new CliError(`${countErrors(result)} in ${result.path ?? 'the config'}; run automodel config check for details`);
  }
  return result.config;
}

function countErrors(result: LoadResult): string {
  const count = result.problems.filter((problem) => problem.severity === 'error').length;
  return `${count} config error${count === 1 ? '' : 's'}`;
}

function reportProblems(io: CliIo, result: LoadResult, least: 'error' | 'warning' | 'info'): void {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  const colour = useColour(io.stderr, io.env);
  for (const problem of result.problems) {
    if (rank[problem.severity] <= rank[least]) io.stderr.write(`${formatProblem(problem, { colour })}\n`);
  }
}

interface CheckOptions {
  json?: boolean;
  quiet?: boolean;
}

/** The `config` command with its three subcommands. Mount it with `program.addCommand(createConfigCommand())`. */
export function createConfigCommand(partialIo: Partial<CliIo> = {}): Command {
  const io = resolveIo(partialIo);
  const config = new Command('config').description('Check, describe or create automodel.yaml.');

  config
    .command('check')
    .description('Validate and compile a config file; print every problem with its line. Exit 1 when there is an error.')
    .argument('[file]', 'the file to check (default: AUTOMODEL_CONFIG, then ./automodel.yaml)')
    .option('--json', 'print the problems as JSON')
    .option('-q, --quiet', 'print errors only')
    .action((file: string | undefined, options: CheckOptions) => {
      const path = file ? resolve(io.cwd, file) : resolveConfigPath({ env: io.env, cwd: io.cwd });
      const result: LoadResult = path === null ? loadConfig({ env: io.env, cwd: io.cwd }) : loadConfigFile(path, { env: io.env, cwd: io.cwd });
      if (options.json) {
        io.stdout.write(`${JSON.stringify({ ok: result.ok, file: result.path, problems: result.problems }, null, 2)}\n`);
      } else {
        reportProblems(io, result, options.quiet ? 'error' : 'info');
        if (result.ok && result.config) io.stdout.write(`${summary(result.config, useColour(io.stdout, io.env))}\n`);
      }
      if (!result.ok) throw new CliError(countErrors(result) + (result.path ? ` in ${result.path}` : ''));
    });

  config
    .command('schema')
    .description('Print the JSON Schema of automodel.yaml (for editor completion and validation).')
    .action(() => {
      io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  config
    .command('init')
    .description('Write a commented starter automodel.yaml that behaves exactly like zero config.')
    .argument('[file]', 'where to write it', STARTER_FILE_NAME)
    .option('-f, --force', 'overwrite an existing file')
    .action((file: string, options: { force?: boolean }) => {
      const path = resolve(io.cwd, file);
      if (existsSync(path) && !options.force) throw new CliError(`${file} already exists; use --force to overwrite it`);
      writeFileSync(path, STARTER_CONFIG);
      io.stdout.write(`Wrote ${file}. It routes exactly like zero config; edit it, then run: automodel config check\n`);
    });

  return withUsageExit(config);
}

/** One line saying what the config amounts to. */
function summary(config: CompiledConfig, colour: boolean): string {
  const virtualModels = [...new Set(config.virtualModels.values())].map((model) => model.id);
  const providers = config.providers.map((provider) => provider.id);
  const source = config.sourcePath ?? 'zero config (no automodel.yaml)';
  return `${paint(colour, '32', 'ok')} ${source}: virtual models ${virtualModels.join(', ')}; providers ${providers.join(', ') || 'none'}; ${config.catalog.models.length} catalog models`;
}
