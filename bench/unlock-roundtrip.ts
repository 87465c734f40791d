import { BoardLockBus } from '@locker/device';
import { Simulator, wireTimeMs } from '@locker/simulator';
import pino from 'pino';

export interface RoundTripFigures {
  protocol: string;
  baudRate: number;
  samples: number;
  /** Bytes on the wire for one confirmed unlock: unlock request (+ reply) + one status exchange. */
  wireBytes: number;
  wireTimeMs: number;
  roundTripMs: { p50: number; p99: number; mean: number };
  softwareOverheadMs: { p50: number; p99: number };
}

const wireBytesPerUnlock: Record<'cu48' | 'xor8a', number> = {
  cu48: 6 + 6 + 12, // unlock (no reply) + status request + status reply
  xor8a: 5 + 5 + 5 + 7, // unlock + ack + query-all + reply
};

/**
 * Unlock → door seen open by the simulated sensor (spring 0 ms: it reports at once), over a real
 * socat pty with the simulator pacing the wire at `baudRate`. Overhead = measured − wire time.
 */
export async function unlockRoundTrip(
  protocol: 'cu48' | 'xor8a',
  baudRate: number,
  samples: number,
): Promise<RoundTripFigures> {
  const simulator = new Simulator({
    protocol,
    boards: 1,
    controlPort: null,
    paceBaudRate: baudRate,
    turnaroundMs: 0,
    physics: { springMs: 0, pulseMs: 50 },
  });
  const { tty } = await simulator.start();
  const board = protocol === 'xor8a' ? 1 : 0;
  const locks = protocol === 'xor8a' ? 24 : 48;
  const bus = BoardLockBus.fromConfig(
    {
      protocol,
      transport: tty!,
      baudRate,
      boards: [{ address: board, locks }],
      timing: {
        pollIntervalMs: 60_000,
        fastPollIntervalMs: 0,
        debounceReads: 1,
        unlockGapMs: 0,
        coilPulseMs: 0,
        interFrameGapMs: 0,
      },
    },
    { logger: pino({ level: 'silent' }) },
  );
  await bus.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const lock = (i % locks) + 1;
      const result = await bus.unlock({ board, lock });
      times.push(result.roundTripMs);
      simulator.act(board, lock, 'close');
      await bus.readLock({ board, lock });
    }
  } finally {
    await bus.stop();
    await simulator.stop();
  }
  const wire = wireTimeMs(wireBytesPerUnlock[protocol], baudRate);
  const sorted = [...times].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    protocol,
    baudRate,
    samples,
    wireBytes: wireBytesPerUnlock[protocol],
    wireTimeMs: round(wire),
    roundTripMs: {
      p50: round(pick(0.5)),
      p99: round(pick(0.99)),
      mean: round(times.reduce((a, b) => a + b, 0) / times.length),
    },
    softwareOverheadMs: { p50: round(pick(0.5) - wire), p99: round(pick(0.99) - wire) },
  };
}
