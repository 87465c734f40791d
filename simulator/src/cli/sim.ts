import pino from 'pino';
import { ZodError } from 'zod';
import { Simulator } from '../simulator.ts';
import { parseSimArgs, SimArgsError } from './sim-args.ts';

const logger = pino({ name: 'simulator' }, pino.destination({ fd: 2, sync: true }));
const timeouts = { stopMs: 8000 } as const;

async function main(): Promise<void> {
  const simulator = new Simulator(parseSimArgs(process.argv.slice(2)), logger);
  let started: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping simulator');
    const deadline = setTimeout(() => {
      logger.error({ afterMs: timeouts.stopMs }, 'simulator did not stop in time; exiting anyway');
      process.exit(1);
    }, timeouts.stopMs);
    await started.catch(() => undefined);
    await simulator.stop();
    clearTimeout(deadline);
    logger.info('simulator stopped');
    process.exit(0);
  };
  // Installed before the address line is printed: whoever reads it may signal us at once.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  started = simulator.start();
  const addresses = await started;
  if (!stopping) process.stdout.write(`${JSON.stringify(addresses)}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof SimArgsError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof ZodError) {
    for (const issue of error.issues)
      process.stderr.write(`simulator option ${issue.path.join('.') || '(root)'}: ${issue.message}\n`);
  } else {
    logger.fatal({ err: error }, 'simulator failed to start');
  }
  process.exit(2);
});
