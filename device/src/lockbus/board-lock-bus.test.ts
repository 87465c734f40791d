import { simBoardProtocols } from '@locker/simulator';
import { SimHarness } from '@locker/test-kit/lockbus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockBusError } from './lock-bus-error.ts';

const protocols = [
  { protocol: 'cu48' as const, board: 0 },
  { protocol: 'cu16' as const, board: 0 },
  { protocol: 'xor8a' as const, board: 1 },
  { protocol: 'modbus-rtu' as const, board: 1 },
];

// the link's inter-frame sleep through the global setTimeout, so that a fake clock drives it too
vi.mock('node:timers/promises', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:timers/promises')>()),
  setTimeout: <T>(ms: number, value?: T) =>
    new Promise<T | undefined>((resolve) => globalThis.setTimeout(() => resolve(value), ms)),
}));

let harness: SimHarness | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await harness?.stop();
  harness = undefined;
});

async function start(options: ConstructorParameters<typeof SimHarness>[0]): Promise<SimHarness> {
  harness = new SimHarness(options);
  return harness.start();
}

/**
 * Advances the fake clock a millisecond at a time until `work` settles; before each step the
 * in-process streams deliver what is in flight, so the fake clock never runs ahead of the bytes.
 */
async function onFakeClock<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(1);
  }
  return done;
}

async function rejection(promise: Promise<unknown>): Promise<LockBusError> {
  const error = await promise.then(
    () => new Error('expected the unlock to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LockBusError);
  return error as LockBusError;
}

describe.each(protocols)('BoardLockBus over $protocol (in-process stream)', ({ protocol, board }) => {
  it('reads every door closed at start', async () => {
    const h = await start({ protocol, transport: 'in-process', boards: 2 });
    const states = await h.bus.readAll();
    expect(states.length).toBe(h.simulator.snapshot().boards.reduce((n, b) => n + b.doors.length, 0));
    expect(states.every((state) => state.door === 'closed')).toBe(true);
    expect(h.faults).toEqual([]);
  });

  it('confirms an unlock only once the door sensor sees the door open, then reports the close', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    const result = await h.bus.unlock({ board, lock: 3 });
    expect(result).toMatchObject({ board, lock: 3 });
    expect(h.simulator.door(board, 3).snapshot().open).toBe(true);
    expect(h.eventsFor(board, 3).map((e) => [e.door, e.cause])).toContainEqual(['open', 'unlock']);
    h.simulator.act(board, 3, 'close');
    await h.until('door closed event', () =>
      h.eventsFor(board, 3).some((e) => e.door === 'closed' && e.cause === 'closed'),
    );
    expect((await h.bus.readLock({ board, lock: 3 })).door).toBe('closed');
  });

  it('reports door_jammed when the board takes the unlock but the door never opens, and does not resend', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.act(board, 2, 'jam');
    const error = await rejection(h.bus.unlock({ board, lock: 2 }));
    expect(error.code).toBe('DOOR_JAMMED');
    expect(h.faults.map((f) => f.code)).toContain('door_jammed');
    expect(h.simulator.door(board, 2).snapshot().unlockCount).toBe(1);
    expect(h.eventsFor(board, 2).some((e) => e.door === 'open')).toBe(false);
  });

  it('a door that could not be read after the unlock is an unknown outcome, never jammed', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    // the board executes commands but every reply is lost
    h.simulator.simBus.setFaults({ dropRate: 1 });
    const error = await rejection(h.bus.unlock({ board, lock: 2 }));
    expect(error.code).toBe('UNLOCK_OUTCOME_UNKNOWN');
    expect(error.sent).not.toBe('no');
    expect(h.simulator.door(board, 2).snapshot()).toMatchObject({ open: true, unlockCount: 1 });
    expect(h.faults.map((f) => f.code)).not.toContain('door_jammed');
    expect(h.faults).toContainEqual(expect.objectContaining({ code: 'unlock_outcome_unknown', lock: 2 }));
  });

  it('refuses an unlock to an offline board with BOARD_OFFLINE, sending nothing', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.simBus.setFaults({ silentBoards: [board] });
    await h.until('board_offline', () => h.faults.some((f) => f.code === 'board_offline'));
    const error = await rejection(h.bus.unlock({ board, lock: 3 }));
    expect(error).toMatchObject({ code: 'BOARD_OFFLINE', sent: 'no' });
    expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
  });

  it('never reports opened when the door sensor is stuck closed', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.act(board, 4, 'stick-closed');
    const error = await rejection(h.bus.unlock({ board, lock: 4 }));
    expect(error.code).toBe('DOOR_JAMMED');
  });

  it('raises door_forced for a door opened with no command, and on a manual key', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.act(board, 5, 'force');
    h.simulator.act(board, 6, 'key');
    await h.until('two forced faults', () => h.faults.filter((f) => f.code === 'door_forced').length === 2);
    expect(h.eventsFor(board, 5).at(-1)).toMatchObject({ door: 'open', cause: 'forced' });
  });

  it('debounces a bouncing sensor: a glitch produces no door event', async () => {
    // chatter lasts 60 ms, polls are 40 ms apart: at most 2 random reads, never the 3 that debounce needs
    const h = await start({
      protocol,
      transport: 'in-process',
      timing: { debounceReads: 3 },
      sim: { physics: { springMs: 10, pulseMs: 100, bounceMs: 60 } },
    });
    h.simulator.act(board, 7, 'bounce');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.eventsFor(board, 7).filter((e) => e.cause !== 'initial')).toEqual([]);
    expect(h.faults.filter((f) => f.code === 'door_forced')).toEqual([]);
  });

  it('a sensor stuck open reads as a door opened with no command: door_forced, never an unlock', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.act(board, 10, 'stick-open');
    await h.until('door_forced', () => h.faults.some((f) => f.code === 'door_forced' && f.lock === 10));
    expect(h.eventsFor(board, 10).some((e) => e.cause === 'unlock')).toBe(false);
    expect(h.simulator.door(board, 10).snapshot()).toMatchObject({ open: false, unlockCount: 0 });
  });

  it('never takes a door that already reads open for an opening: DOOR_ALREADY_OPEN, nothing sent', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    await h.bus.unlock({ board, lock: 1 });
    const before = h.simulator.simBus.counters.unlockCommands;
    const error = await rejection(h.bus.unlock({ board, lock: 1 }));
    expect(error.code).toBe('DOOR_ALREADY_OPEN');
    expect(error.sent).toBe('no');
    expect(h.simulator.simBus.counters.unlockCommands).toBe(before);
    expect(h.eventsFor(board, 1).filter((e) => e.cause === 'unlock')).toHaveLength(1);
  });

  it('joins a second unlock of the same lock to the first: one command on the wire', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    const [a, b] = await Promise.all([h.bus.unlock({ board, lock: 8 }), h.bus.unlock({ board, lock: 8 })]);
    expect(a).toBe(b);
    expect(h.simulator.door(board, 8).snapshot().unlockCount).toBe(1);
  });

  it('takes a silent board offline (doors unknown) and brings it back when it answers', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.simBus.setFaults({ silentBoards: [board] });
    await h.until('board_offline', () => h.faults.some((f) => f.code === 'board_offline'));
    expect((await h.bus.readAll()).every((s) => s.door === 'unknown')).toBe(true);
    h.simulator.simBus.clearFaults();
    await h.until('board_online', () => h.faults.some((f) => f.code === 'board_online'));
    await h.until('doors known again', () => h.eventsFor(board, 1).at(-1)?.door === 'closed');
    expect(h.eventsFor(board, 1).at(-1)?.cause).toBe('reappeared');
  });

  it('counts corrupted replies and never opens on them', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    h.simulator.simBus.setFaults({ corruptRate: 0.3 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const counters = h.bus.counters();
    expect(counters.checksumErrors + counters.structureErrors + counters.timeouts).toBeGreaterThan(0);
    expect(h.doorEvents.filter((e) => e.door === 'open')).toEqual([]);
  });

  it('rejects a lock that is not configured with UNKNOWN_LOCK', async () => {
    const h = await start({ protocol, transport: 'in-process' });
    expect(() => h.bus.unlock({ board, lock: 99 })).toThrow(/UNKNOWN_LOCK/);
    expect(() => h.bus.unlock({ board: board + 7, lock: 1 })).toThrow(/UNKNOWN_LOCK/);
  });
});

describe('BoardLockBus and the bit polarity', () => {
  it('a CU48 board that follows the vendor document (set bit = locked) reads closed by default', async () => {
    const h = await start({
      protocol: 'cu48',
      transport: 'in-process',
      sim: { kerongDialect: { closedBitValue: 1 } },
    });
    expect((await h.bus.readAll()).every((state) => state.door === 'closed')).toBe(true);
    expect(h.faults).toEqual([]);
    await expect(h.bus.unlock({ board: 0, lock: 2 })).resolves.toMatchObject({ lock: 2 });
  });

  it.each([
    { protocol: 'cu48' as const, closedBitValue: 0 as const },
    { protocol: 'cu16' as const, closedBitValue: 0 as const },
  ])(
    '$protocol with the wrong polarity: board_polarity_suspect, unlocks refused and never sent, no opening',
    async ({ protocol, closedBitValue }) => {
      const h = await start({
        protocol,
        transport: 'in-process',
        board: { kerongDialect: { closedBitValue } },
      });
      expect(h.faults).toEqual([
        expect.objectContaining({
          code: 'board_polarity_suspect',
          board: 0,
          message: expect.stringMatching(/closedBitValue.*commissioning/),
        }),
      ]);
      expect(h.bus.counters().boards[0]?.polaritySuspect).toBe(true);
      for (const lock of [1, 2, 3]) {
        const error = await rejection(h.bus.unlock({ board: 0, lock }));
        expect(error.code).toBe('BOARD_POLARITY_SUSPECT');
        expect(error.sent).toBe('no');
      }
      expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
      expect(h.doorEvents.filter((e) => e.cause === 'unlock')).toEqual([]);
    },
  );

  it('a door forced open while its unlock waits for a coil turn is refused then, not sent', async () => {
    const h = await start({
      protocol: 'cu48',
      transport: 'in-process',
      timing: { maxCoilsEnergised: 1, coilPulseMs: 2000, unlockGapMs: 0 },
    });
    const first = h.bus.unlock({ board: 0, lock: 1 });
    const waiting = h.bus.unlock({ board: 0, lock: 2 });
    h.simulator.act(0, 2, 'force');
    await h.until('door 2 seen open', () => h.eventsFor(0, 2).some((e) => e.door === 'open'));
    await expect(waiting).rejects.toMatchObject({ code: 'DOOR_ALREADY_OPEN', sent: 'no' });
    await expect(first).resolves.toMatchObject({ lock: 1 });
    expect(h.simulator.door(0, 2).snapshot().unlockCount).toBe(0);
  });

  it('a board whose polarity commissioning confirmed may start with every door open', async () => {
    const h = await start({
      protocol: 'cu48',
      transport: 'in-process',
      board: { kerongDialect: { closedBitValue: 0 }, polarityConfirmed: true },
    });
    expect(h.faults).toEqual([]);
    await expect(h.bus.unlock({ board: 0, lock: 1 })).rejects.toMatchObject({ code: 'DOOR_ALREADY_OPEN' });
    expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
  });
});

describe('BoardLockBus and a stepped wall clock', () => {
  it.each([
    { direction: 'back', stepMs: -3_600_000 },
    { direction: 'forward', stepMs: 3_600_000 },
  ])(
    'wall clock stepped $direction by an hour: polling goes on and an unlock is confirmed',
    async ({ stepMs }) => {
      const h = await start({ protocol: 'cu48', transport: 'in-process' });
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      try {
        const pending = h.bus.unlock({ board: 0, lock: 2 });
        vi.setSystemTime(Date.now() + stepMs);
        await expect(pending).resolves.toMatchObject({ lock: 2 });
        const before = h.bus.counters().requests;
        await h.until('polls after the step', () => h.bus.counters().requests >= before + 5);
        await expect(h.bus.unlock({ board: 0, lock: 3 })).resolves.toMatchObject({ lock: 3 });
        expect(h.faults).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    },
  );
});

describe('BoardLockBus faults specific to a protocol', () => {
  it('8A/80: a board that does not acknowledge leaves the outcome unknown, never resent', async () => {
    const h = await start({ protocol: 'xor8a', transport: 'in-process' });
    h.simulator.simBus.setFaults({ silentBoards: [1] });
    const error = await rejection(h.bus.unlock({ board: 1, lock: 2 }));
    expect(error.code).toBe('UNLOCK_OUTCOME_UNKNOWN');
    expect(error.sent).toBe('unknown');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.simulator.simBus.counters.unlockCommands).toBe(1);
  });

  it('8A/80: a door seen open after an unacknowledged unlock is still confirmed by its sensor', async () => {
    const h = await start({ protocol: 'xor8a', transport: 'in-process' });
    h.simulator.simBus.setFaults({ dropRate: 1 });
    const pending = h.bus.unlock({ board: 1, lock: 3 });
    await h.until('door open in the simulator', () => h.simulator.door(1, 3).snapshot().open);
    h.simulator.simBus.clearFaults();
    const result = await pending;
    expect(result.acknowledged).toBe(false);
  });

  it('a board that does not answer at start leaves the others working', async () => {
    const h = await start({ protocol: 'cu48', transport: 'in-process', boards: 1, extraBoards: [5] });
    expect(h.faults).toContainEqual(expect.objectContaining({ code: 'board_offline', board: 5 }));
    await expect(h.bus.unlock({ board: 0, lock: 1 })).resolves.toMatchObject({ lock: 1 });
  });

  it('a noisy bus (3 % of bytes corrupted) does not flap board_offline: bad replies are read again at once', async () => {
    const h = await start({ protocol: 'cu48', transport: 'in-process', timing: { offlineAfterMs: 1500 } });
    h.simulator.simBus.setFaults({ corruptRate: 0.03 });
    await h.until('120 status requests', () => h.bus.counters().requests >= 120, 20_000);
    const counters = h.bus.counters();
    expect(counters.checksumErrors).toBeGreaterThan(0);
    expect(h.faults.filter((f) => f.code === 'board_offline' || f.code === 'board_online')).toEqual([]);
    expect(counters.boards[0]).toMatchObject({ online: true, offlineTransitions: 0 });
  }, 30_000);

  it('reports itself unhealthy after N polls without a good reply, and healthy again when one comes', async () => {
    const h = await start({
      protocol: 'cu48',
      transport: 'in-process',
      timing: { unhealthyAfterFailedPolls: 3 },
    });
    expect(h.bus.health()).toMatchObject({ ok: true, failedPollsInRow: 0 });
    h.simulator.simBus.setFaults({ silentBoards: [0] });
    await h.until('unhealthy', () => !h.bus.health().ok);
    expect(h.bus.health().failedPollsInRow).toBeGreaterThanOrEqual(3);
    h.simulator.simBus.clearFaults();
    await h.until('healthy again', () => h.bus.health().ok);
    expect(h.bus.health().failedPollsInRow).toBe(0);
  });

  it('address conflict: colliding replies are rejected as bad frames, no door event follows', async () => {
    const h = await start({ protocol: 'cu48', transport: 'in-process' });
    h.simulator.simBus.setFaults({ addressConflicts: [0] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const counters = h.bus.counters();
    expect(counters.checksumErrors + counters.structureErrors).toBeGreaterThan(0);
    expect(h.doorEvents.filter((e) => e.door === 'open')).toEqual([]);
  });

  it('held door: the unlock pulse passes, the latch catches again, door_jammed', async () => {
    const h = await start({ protocol: 'cu16', transport: 'in-process' });
    h.simulator.act(0, 1, 'hold');
    const error = await rejection(h.bus.unlock({ board: 0, lock: 1 }));
    expect(error.code).toBe('DOOR_JAMMED');
  });

  it('CU16 item sensors are reported with the lock state', async () => {
    const h = await start({ protocol: 'cu16', transport: 'in-process' });
    h.simulator.act(0, 2, 'put-item');
    expect(await h.bus.readLock({ board: 0, lock: 2 })).toMatchObject({ door: 'closed', itemPresent: true });
    expect((await h.bus.readLock({ board: 0, lock: 3 })).itemPresent).toBe(false);
  });

  it('sequences many unlocks on a noisy bus: unlock frames reach the boards at least a coil pulse apart (fake clock)', async () => {
    // the bus's and the simulated boards' timers and clocks are fake: the arrival times are those of
    // the simulated wire (paced at the line speed), whatever the machine's load
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'],
    });
    const coilPulseMs = 30;
    const h = new SimHarness({
      protocol: 'cu48',
      transport: 'in-process',
      timing: {
        maxCoilsEnergised: 1,
        coilPulseMs,
        unlockGapMs: 0,
        unlockConfirmMs: 3000,
      },
    });
    harness = h;
    await onFakeClock(h.start());
    /** When each unlock frame had arrived at the boards (its last byte on the paced wire plus the board's turnaround). */
    const unlockArrivals: number[] = [];
    h.simulator.simBus.on('request', ({ bytes }) => {
      if (simBoardProtocols.cu48.isUnlockRequest(bytes)) unlockArrivals.push(performance.now());
    });
    // every status reply byte corrupted with 5 %: about half the reads fail or time out, delaying the writes queued behind them
    h.simulator.simBus.setFaults({ corruptRate: 0.05 });
    const locks = Array.from({ length: 24 }, (_, i) => i + 1);
    await onFakeClock(Promise.allSettled(locks.map((lock) => h.bus.unlock({ board: 0, lock }))));
    expect(unlockArrivals).toHaveLength(24);
    const gaps = unlockArrivals.slice(1).map((at, i) => at - unlockArrivals[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(coilPulseMs);
    for (const lock of locks) expect(h.simulator.door(0, lock).snapshot().unlockCount).toBe(1);
  });
});
