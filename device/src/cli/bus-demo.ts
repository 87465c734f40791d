import { Simulator } from '@locker/simulator';
import pino from 'pino';
import { BoardLockBus } from '../lockbus/board-lock-bus.ts';

/**
 * The main job until the fleet service lands: a simulated cabinet (two CU48 boards on a real
 * socat pty) driven by the device's lock bus. Opens one compartment after another, logs every
 * door event and fault, and prints how to force or close doors through the simulator.
 */
const logger = pino({ name: 'bus-demo' });
const everyMs = Number(process.env.DEMO_UNLOCK_EVERY_MS ?? 5000);

async function main(): Promise<void> {
  const simulator = new Simulator(
    { protocol: 'cu48', boards: 2, locks: 12 },
    logger.child({ module: 'simulator' }),
  );
  const { tty, controlUrl } = await simulator.start();
  const bus = BoardLockBus.fromConfig(
    {
      protocol: 'cu48',
      transport: tty!,
      boards: [
        { address: 0, locks: 12 },
        { address: 1, locks: 12 },
      ],
    },
    { logger: logger.child({ module: 'lock-bus' }) },
  );
  bus.on('door', (event) =>
    logger.info(event, `door ${event.board}/${event.lock} ${event.door} (${event.cause})`),
  );
  bus.on('fault', (fault) => logger.warn(fault, `fault ${fault.code}`));
  await bus.start();
  process.stdout.write(
    [
      '',
      `Simulated cabinet on ${tty} (2 Kerong CU48 boards, 12 locks each), control API ${controlUrl}`,
      `  state:        curl ${controlUrl}/state`,
      `  close a door: curl -X POST ${controlUrl}/boards/0/locks/1/close`,
      `  force a door: curl -X POST ${controlUrl}/boards/1/locks/5/force`,
      `  jam a lock:   curl -X POST ${controlUrl}/boards/0/locks/3/jam`,
      `  line noise:   curl -X PUT -H 'content-type: application/json' -d '{"corruptRate":0.05}' ${controlUrl}/faults`,
      `The device opens board 0 locks 1–12 in turn, one every ${everyMs / 1000} s, and closes them again. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
  let lock = 0;
  const timer = setInterval(async () => {
    lock = (lock % 12) + 1;
    try {
      const result = await bus.unlock({ board: 0, lock });
      logger.info(result, `unlock 0/${lock} confirmed in ${result.roundTripMs.toFixed(1)} ms`);
      setTimeout(() => simulator.act(0, lock, 'close'), everyMs / 2);
    } catch (error) {
      logger.error({ err: error }, `unlock 0/${lock} failed`);
    }
  }, everyMs);
  const stop = async () => {
    clearInterval(timer);
    await bus.stop();
    await simulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'demo failed to start');
  process.exit(1);
});
