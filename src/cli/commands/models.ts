/**
 * `automodel models [--config f] [--json]`: the model catalog (built in, plus what the config adds or overrides) with
 * each provider's id, the context window, the output limit and prices per million tokens.
 */
import { Command } from 'commander';
import type { CatalogModel } from '../../catalog/models.js';
import { loadConfigForCli, paint, resolveIo, useColour, withUsageExit, type CliIo } from './config.js';

/** The `models` command. Mount it with `program.addCommand(createModelsCommand())`. */
export function createModelsCommand(partialIo: Partial<CliIo> = {}): Command {
  const io = resolveIo(partialIo);
  const command = new Command('models')
    .description('List the model catalog: provider ids, context window, max output and prices (USD per million tokens).')
    .option('--config <file>', 'config file whose catalog changes to include (default: AUTOMODEL_CONFIG, then ./automodel.yaml)')
    .option('--json', 'print the catalog as JSON')
    .action((options: { config?: string; json?: boolean }) => {
      const config = loadConfigForCli(io, options.config);
      const models = config.catalog.models;
      if (options.json) io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
      else io.stdout.write(renderModelsTable(models, useColour(io.stdout, io.env)));
    });
  return withUsageExit(command);
}

/** `200000` → `200K`, `1000000` → `1M`. */
export function formatTokens(count: number): string {
  if (count >= 1_000_000 && count % 100_000 === 0) return `${count / 1_000_000}M`;
  if (count >= 1000 && count % 1000 === 0) return `${count / 1000}K`;
  return String(count);
}

function formatPrice(value: number): string {
  return `$${Number(value.toFixed(3))}`;
}

const HEADERS = ['id', 'name', 'anthropic', 'openrouter', 'openai', 'window', 'max out', 'input', 'output', 'cache read', 'cache write', 'status'];
const RIGHT_ALIGNED = new Set(['window', 'max out', 'input', 'output', 'cache read', 'cache write']);

export function renderModelsTable(models: readonly CatalogModel[], colour: boolean): string {
  const rows = models.map((model) => [
    model.id,
    model.name,
    model.providerIds.anthropic ?? '-',
    model.providerIds.openrouter ?? '-',
    model.providerIds.openai ?? '-',
    formatTokens(model.contextWindow),
    formatTokens(model.maxOutputTokens),
    formatPrice(model.prices.input),
    formatPrice(model.prices.output),
    formatPrice(model.prices.cacheRead),
    formatPrice(model.prices.cacheWrite),
    model.status,
  ]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (RIGHT_ALIGNED.has(HEADERS[column]!) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const body = rows.map((row, index) => {
    const text = line(row);
    return models[index]!.status === 'active' ? text : paint(colour, '2', text);
  });
  const notes = models.filter((model) => model.note).map((model) => `  ${model.id}: ${model.note}`);
  return [
    paint(colour, '1', line(HEADERS)),
    ...body,
    '',
    'Prices in USD per million tokens; cache write is the 5-minute write.',
    ...(notes.length ? ['Notes:', ...notes] : []),
    '',
  ].join('\n');
}
