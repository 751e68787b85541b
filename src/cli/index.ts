#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --initial-old-space-size=32
import { Command, InvalidArgumentError } from 'commander';
import { ConfigLoadError, startGateway } from '../main.js';
import { createUsageCommand } from './commands/usage.js';
import { createConfigCommand } from './commands/config.js';
import { createModelsCommand } from './commands/models.js';
import { createRouteCommand } from './commands/route.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return port;
}

const program = new Command()
  .name('automodel')
  .description('A self-hosted LLM gateway that routes kilo/auto to the right model for the coding agent\'s mode.')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

program
  .command('serve', { isDefault: true })
  .description('Run the gateway (the default command).')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port to listen on (default 4100, or PORT)', parsePort)
  .option('--config <file>', 'config file (default: AUTOMODEL_CONFIG, else ./automodel.yaml if present, else zero config)')
  .action(async (options: { host?: string; port?: number; config?: string }) => {
    let gateway: Awaited<ReturnType<typeof startGateway>>;
    try {
      gateway = await startGateway({
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.config ? { configPath: options.config } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigLoadError) {
        process.stderr.write(`automodel: ${error.message}\n`);
        process.exit(1);
      }
      throw error;
    }
    process.on('SIGHUP', () => {
      gateway.reload('SIGHUP');
    });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stderr.write(`Received ${signal}: finishing requests in flight, then exiting.\n`);
      gateway.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program.addCommand(createRouteCommand());
program.addCommand(createConfigCommand());
program.addCommand(createModelsCommand());
program.addCommand(createUsageCommand().copyInheritedSettings(program));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`automodel: ${(error as Error).message}\n`);
  process.exit(1);
});
