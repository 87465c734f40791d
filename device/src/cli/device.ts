import { parseArgs } from 'node:util';
import { ConfigError } from '@locker/node-kit';
import pino from 'pino';
import { loadDeviceConfig } from '../config/load-device-config.ts';
import { Device } from '../runtime/device.ts';
import { SystemdNotifier } from '../runtime/systemd-notifier.ts';
import { StoreError } from '../store/store-error.ts';
import { backupCommand, recoverCommand } from './store-commands.ts';

const logger = pino({ name: 'locker' }, pino.destination({ fd: 2, sync: true }));
const timeouts = { stopMs: 10_000 } as const;
/** Exit status after an update switched `current`: systemd (Restart=on-failure) starts the unit again. */
const restartExitCode = 75;

/**
 * `npm run device -- --config /etc/locker/locker.yaml`: runs one locker until SIGTERM.
 * `… backup --config FILE --to BACKUP.db`: online backup of its database.
 * `… recover --config FILE --confirm [--event-seq-above N]`: after a lost database (LOCKER_STATE_LOST).
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      to: { type: 'string' },
      confirm: { type: 'boolean', default: false },
      'event-seq-above': { type: 'string', default: '0' },
    },
  });
  if (!values.config)
    throw new ConfigError('CONFIG_UNREADABLE', ['--config <file.yaml|file.json> is required']);
  const config = loadDeviceConfig(values.config);
  const command = positionals[0] ?? 'run';
  if (command === 'backup') {
    if (!values.to) throw new ConfigError('CONFIG_UNREADABLE', ['backup needs --to <file>']);
    await backupCommand(config, values.to, logger);
    return;
  }
  if (command === 'recover') {
    const eventSeqAbove = Number(values['event-seq-above']);
    if (!Number.isInteger(eventSeqAbove) || eventSeqAbove < 0)
      throw new ConfigError('CONFIG_UNREADABLE', ['--event-seq-above takes a whole number ≥ 0']);
    recoverCommand(config, { confirmed: values.confirm, eventSeqAbove }, logger);
    return;
  }
  if (command !== 'run')
    throw new ConfigError('CONFIG_UNREADABLE', [`unknown command "${command}": run, backup or recover`]);
  const device = new Device({ config, logger, restart: () => stop('update', restartExitCode) });
  const notifier = new SystemdNotifier(() => device.health(), logger);
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping locker');
    setTimeout(() => {
      logger.error({ afterMs: timeouts.stopMs }, 'locker did not stop in time; exiting');
      process.exit(1);
    }, timeouts.stopMs).unref();
    notifier.stop();
    await device.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const addresses = await device.start();
  logger.info({ lockerId: config.lockerId, ...addresses }, 'locker ready');
  notifier.start();
  process.stdout.write(`${JSON.stringify({ ready: true, ...addresses })}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) for (const line of error.problems) process.stderr.write(`${line}\n`);
  else if (error instanceof StoreError) {
    logger.fatal({ err: error }, 'locker failed to start');
    process.stderr.write(`${error.message}\n`);
  } else logger.fatal({ err: error }, 'locker failed to start');
  process.exit(2);
});
