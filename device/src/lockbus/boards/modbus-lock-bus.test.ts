import { SimHarness } from '@locker/test-kit/lockbus';
import { afterEach, describe, expect, it } from 'vitest';
import { LockBusError } from '../lock-bus-error.ts';

/** Faults the shared bus tests do not cover, on Modbus RTU boards (slave 1, 16 relays and inputs). */
let harness: SimHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(
  options: Omit<ConstructorParameters<typeof SimHarness>[0], 'protocol'>,
): Promise<SimHarness> {
  harness = new SimHarness({ protocol: 'modbus-rtu', ...options });
  return harness.start();
}

async function failure(promise: Promise<unknown>): Promise<LockBusError> {
  const error = await promise.then(
    () => new Error('expected the unlock to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LockBusError);
  return error as LockBusError;
}

describe('Modbus RTU lock bus and request faults', () => {
  it('a lost unlock frame opens nothing and is never resent: unknown outcome, not jammed', async () => {
    const h = await start({ transport: 'in-process' });
    h.simulator.simBus.setFaults({ requestDropRate: 1 });
    const error = await failure(h.bus.unlock({ board: 1, lock: 2 }));
    expect(error.code).toBe('UNLOCK_OUTCOME_UNKNOWN');
    expect(h.simulator.simBus.counters.requestBytesDropped).toBeGreaterThan(0);
    h.simulator.simBus.clearFaults();
    const before = h.bus.counters().requests;
    await h.until('polls after the faults cleared', () => h.bus.counters().requests >= before + 5);
    expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
    expect(h.simulator.door(1, 2).snapshot()).toMatchObject({ open: false, unlockCount: 0 });
    expect(h.faults.map((f) => f.code)).not.toContain('door_jammed');
  });

  it("a corrupted request fails the board's CRC: counted, refused, no door opens", async () => {
    const h = await start({ transport: 'in-process' });
    h.simulator.simBus.setFaults({ requestCorruptRate: 1 });
    const error = await failure(h.bus.unlock({ board: 1, lock: 3 }));
    expect(error.code).toBe('UNLOCK_OUTCOME_UNKNOWN');
    const sim = h.simulator.simBus.counters;
    expect(sim.requestBytesCorrupted).toBeGreaterThan(0);
    expect(sim.checksumErrors + sim.badFrames).toBeGreaterThan(0);
    expect(sim.unlockCommands).toBe(0);
    expect(h.doorEvents.filter((e) => e.door === 'open')).toEqual([]);
  });

  it('a noisy bus both ways: every unlock a confirmed opening or a typed error, no false open, none twice', async () => {
    const h = await start({ transport: 'in-process' });
    h.simulator.simBus.setFaults({ requestCorruptRate: 0.03, requestDropRate: 0.02, corruptRate: 0.03 });
    // no lock is jammed here: DOOR_JAMMED would be a door that opened reported as shut
    const typed = new Set(['UNLOCK_OUTCOME_UNKNOWN', 'UNLOCK_NOT_SENT', 'BOARD_OFFLINE']);
    for (const lock of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const outcome = await h.bus.unlock({ board: 1, lock }).then(
        () => 'opened',
        (error: unknown) => (error instanceof LockBusError ? error.code : 'untyped'),
      );
      const door = h.simulator.door(1, lock).snapshot();
      expect(door.unlockCount).toBeLessThanOrEqual(1);
      if (outcome === 'opened') expect(door.unlockCount).toBe(1);
      else expect(typed.has(outcome)).toBe(true);
    }
  });
});

describe('Modbus RTU lock bus and exception replies', () => {
  it('an unlock refused with an exception (relay the board lacks) is no acknowledgement: nothing opens', async () => {
    const coils = Array.from({ length: 16 }, (_, i) => (i === 2 ? 40 : i));
    const h = await start({ transport: 'in-process', board: { modbus: { coils } } });
    const error = await failure(h.bus.unlock({ board: 1, lock: 3 }));
    expect(error.code).toBe('UNLOCK_OUTCOME_UNKNOWN');
    expect(h.bus.counters().unexpectedFrames).toBeGreaterThan(0);
    expect(h.simulator.simBus.counters.unlockCommands).toBe(1);
    expect(h.simulator.door(1, 3).snapshot().unlockCount).toBe(0);
    expect(h.faults.map((f) => f.code)).not.toContain('door_jammed');
  });

  it('an input read refused with an exception takes the board offline, never as door states', async () => {
    const inputs = Array.from({ length: 16 }, (_, i) => (i === 15 ? 20 : i));
    const h = await start({ transport: 'in-process', board: { modbus: { inputs } } });
    expect(h.faults).toContainEqual(expect.objectContaining({ code: 'board_offline', board: 1 }));
    expect(h.bus.counters().structureErrors + h.bus.counters().checksumErrors).toBe(0);
    await expect(h.bus.unlock({ board: 1, lock: 1 })).rejects.toMatchObject({
      code: 'BOARD_OFFLINE',
      sent: 'no',
    });
    expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
  });
});

describe('Modbus RTU lock bus and input polarity', () => {
  it('inputs wired the other way: board_polarity_suspect, unlocks refused and never sent', async () => {
    const h = await start({ transport: 'in-process', sim: { modbus: { closedInputValue: 0 } } });
    expect(h.faults).toEqual([
      expect.objectContaining({
        code: 'board_polarity_suspect',
        board: 1,
        message: expect.stringMatching(/modbus\.closedInputValue.*commissioning/),
      }),
    ]);
    await expect(h.bus.unlock({ board: 1, lock: 1 })).rejects.toMatchObject({
      code: 'BOARD_POLARITY_SUSPECT',
      sent: 'no',
    });
    expect(h.simulator.simBus.counters.unlockCommands).toBe(0);
  });

  it('closedInputValue 0 on both sides reads closed doors and opens one', async () => {
    const h = await start({
      transport: 'in-process',
      sim: { modbus: { closedInputValue: 0 } },
      board: { modbus: { closedInputValue: 0 } },
    });
    expect(h.faults).toEqual([]);
    await expect(h.bus.unlock({ board: 1, lock: 4 })).resolves.toMatchObject({ lock: 4, acknowledged: true });
  });

  it('address conflict: colliding replies are bad frames, no door event follows', async () => {
    const h = await start({ transport: 'in-process' });
    h.simulator.simBus.setFaults({ addressConflicts: [1] });
    const before = h.bus.counters().requests;
    await h.until('polls under the conflict', () => h.bus.counters().requests >= before + 5);
    const counters = h.bus.counters();
    expect(counters.checksumErrors + counters.structureErrors + counters.timeouts).toBeGreaterThan(0);
    expect(h.doorEvents.filter((e) => e.door === 'open')).toEqual([]);
  });
});
