import { BoardLockBus, boardDrivers, type LockBoardProtocol, lockBusDefaults } from '@locker/device';
import { Simulator, wireTimeMs } from '@locker/simulator';
import pino from 'pino';

/**
 * `tuned`: debounce, polling, gaps and coil spacing switched off — the bus and the wire alone.
 * `shipped`: `lockBusDefaults` untouched (only the transport is set) — what a citizen waits for.
 */
export type BusTimingMode = 'tuned' | 'shipped';

export interface RoundTripFigures {
  protocol: LockBoardProtocol;
  baudRate: number;
  timing: BusTimingMode;
  samples: number;
  /** Status exchanges needed to see the door open: 1 tuned, `debounceReads` shipped. */
  statusReads: number;
  /** Bytes on the wire for one confirmed unlock: unlock request (+ reply) + the status exchanges. */
  wireBytes: number;
  wireTimeMs: number;
  roundTripMs: { p50: number; p99: number; mean: number };
  softwareOverheadMs: { p50: number; p99: number };
}

/** Frame bytes per protocol, from the codecs in protocol/src/lockboard/ (one board of `locks`). */
export const unlockFrames: Record<
  LockBoardProtocol,
  {
    unlock: { request: number; reply: number };
    status: { request: number; reply: number };
    address: number;
    locks: number;
  }
> = {
  // unlock has no reply; status reply carries 48 bits
  cu48: { unlock: { request: 6, reply: 0 }, status: { request: 6, reply: 12 }, address: 0, locks: 48 },
  // unlock answered by a status frame
  cu16: { unlock: { request: 5, reply: 9 }, status: { request: 5, reply: 9 }, address: 0, locks: 16 },
  // unlock + ack; query-all + 2 status bytes
  xor8a: { unlock: { request: 5, reply: 5 }, status: { request: 5, reply: 7 }, address: 1, locks: 24 },
  // fn 05 flash-on + echo; fn 02 of 16 inputs + 2 data bytes
  'modbus-rtu': {
    unlock: { request: 8, reply: 8 },
    status: { request: 8, reply: 7 },
    address: 1,
    locks: 16,
  },
};

const tunedTiming = {
  pollIntervalMs: 60_000,
  fastPollIntervalMs: 0,
  debounceReads: 1,
  unlockGapMs: 0,
  coilPulseMs: 0,
  interFrameGapMs: 0,
};

/** How long a closed door may take to read closed again (debounced) between two samples. */
const doorClosedTimeoutMs = 5000;

/**
 * Unlock → door seen open by the simulated sensor (spring 0 ms: it reports at once), over a real
 * socat pty with the simulator pacing the wire at `baudRate` (default: the protocol's line speed).
 * Overhead = measured − wire time. The round trip is the bus's own: from the unlock frame written,
 * so a wait for the coil spacing of the previous sample is not counted.
 */
export async function unlockRoundTrip(
  protocol: LockBoardProtocol,
  samples: number,
  timing: BusTimingMode,
  baudRate: number = boardDrivers[protocol].baudRate,
): Promise<RoundTripFigures> {
  const { address: board, locks, unlock, status } = unlockFrames[protocol];
  const simulator = new Simulator({
    protocol,
    boards: 1,
    locks,
    controlPort: null,
    paceBaudRate: baudRate,
    turnaroundMs: 0,
    physics: { springMs: 0, pulseMs: 50 },
  });
  const { tty } = await simulator.start();
  const bus = BoardLockBus.fromConfig(
    {
      protocol,
      transport: tty!,
      baudRate,
      boards: [{ address: board, locks }],
      timing: timing === 'tuned' ? tunedTiming : {},
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
      await untilClosed(bus, board, lock);
    }
  } finally {
    await bus.stop();
    await simulator.stop();
  }
  const statusReads = timing === 'tuned' ? 1 : lockBusDefaults.debounceReads;
  const wireBytes = unlock.request + unlock.reply + statusReads * (status.request + status.reply);
  const wire = wireTimeMs(wireBytes, baudRate);
  const sorted = [...times].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    protocol,
    baudRate,
    timing,
    samples,
    statusReads,
    wireBytes,
    wireTimeMs: round(wire),
    roundTripMs: {
      p50: round(pick(0.5)),
      p99: round(pick(0.99)),
      mean: round(times.reduce((a, b) => a + b, 0) / times.length),
    },
    softwareOverheadMs: { p50: round(pick(0.5) - wire), p99: round(pick(0.99) - wire) },
  };
}

/** Reads the lock until its debounced state is closed again, so the next unlock is not refused. */
async function untilClosed(bus: BoardLockBus, board: number, lock: number): Promise<void> {
  const deadline = performance.now() + doorClosedTimeoutMs;
  while ((await bus.readLock({ board, lock })).door !== 'closed') {
    if (performance.now() > deadline) {
      throw new Error(`door ${board}/${lock} not read closed within ${doorClosedTimeoutMs} ms`);
    }
  }
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
