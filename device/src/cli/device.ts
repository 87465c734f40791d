import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadDeviceConfig } from '../config/load-config.ts';
import { Device } from '../runtime/device.ts';
import { SystemdNotifier } from '../runtime/systemd-notifier.ts';

const logger = pino({ name: 'locker' }, pino.destination({ fd: 2, sync: true }));
const timeouts = { stopMs: 10_000 } as const;

/** `npm run device -- --config /etc/locker/locker.yaml`: runs one locker until SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
  if (!values.config)
    throw new ConfigError('CONFIG_UNREADABLE', ['--config <file.yaml|file.json> is required']);
  const config = loadDeviceConfig(values.config);
  const device = new Device({ config, logger });
  const notifier = new SystemdNotifier(() => device.health().ok, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping locker');
    setTimeout(() => {
      logger.error({ afterMs: timeouts.stopMs }, 'locker did not stop in time; exiting');
      process.exit(1);
    }, timeouts.stopMs).unref();
    notifier.stop();
    await device.stop();
    process.exit(0);
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
  else logger.fatal({ err: error }, 'locker failed to start');
  process.exit(2);
});
