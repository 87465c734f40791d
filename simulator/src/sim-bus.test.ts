import { encodeCu16Request } from '@locker/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { damageRequest, noBusFaults } from './bus-faults.ts';
import { Simulator } from './simulator.ts';

let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function start(faults: ConstructorParameters<typeof Simulator>[0]['faults']) {
  simulator = new Simulator({
    protocol: 'cu16',
    boards: 1,
    pty: false,
    controlPort: null,
    paceBaudRate: null,
    physics: { springMs: 0, bounceMs: 0 },
    faults,
  });
  await simulator.start();
  return { sim: simulator, master: simulator.connectInProcess() };
}

const unlock = (lock: number) => encodeCu16Request({ board: 0, lock, command: 'unlock' });
const status = encodeCu16Request({ board: 0, lock: 16, command: 'status' });

/**
 * Waits until the bus received `bytes` (through the fault model), then sends a clean status request:
 * requests are handled in order, so once it is seen every earlier one was handled.
 */
async function settle(
  sim: Simulator,
  master: ReturnType<Simulator['connectInProcess']>,
  bytes: number,
): Promise<void> {
  await vi.waitFor(() => expect(sim.simBus.counters.requestBytes).toBe(bytes), { timeout: 10_000 });
  sim.simBus.setFaults({ requestCorruptRate: 0, requestDropRate: 0 });
  let seen = false;
  sim.simBus.on('request', ({ bytes }) => {
    if (bytes.equals(status)) seen = true;
  });
  master.write(status);
  await vi.waitFor(() => expect(seen).toBe(true), { timeout: 10_000 });
}

describe('request faults (device → boards)', () => {
  it('a lost unlock request never opens the door', async () => {
    const { sim, master } = await start({ requestDropRate: 1 });
    master.write(unlock(1));
    await settle(sim, master, 5);
    expect(sim.door(0, 1).snapshot()).toMatchObject({ open: false, unlockCount: 0 });
    expect(sim.simBus.counters).toMatchObject({ unlockCommands: 0, requestBytesDropped: 5 });
    // the same frame on a clean wire opens it: the loss, not the frame, kept it shut
    master.write(unlock(1));
    await vi.waitFor(() => expect(sim.door(0, 1).snapshot().unlockCount).toBe(1), { timeout: 10_000 });
  });

  it('a corrupted request is refused by the board checksum and counted; only intact unlocks open', async () => {
    const { sim, master } = await start({ requestCorruptRate: 0.1 });
    const sent = 64;
    for (let i = 0; i < sent; i++) master.write(unlock((i % 16) + 1));
    await settle(sim, master, sent * 5);
    const { counters } = sim.simBus;
    const opened = sim.simBus.boards[0]!.doors.reduce((sum, door) => sum + door.snapshot().unlockCount, 0);
    expect(counters.requestBytesCorrupted).toBeGreaterThan(0);
    expect(counters.checksumErrors).toBeGreaterThan(0);
    expect(counters.unlockCommands).toBeLessThan(sent);
    // every opening is one unlock the board accepted as intact, none more
    expect(opened).toBe(counters.unlockCommands);
  });

  it('draws nothing from the seeded source while request faults are off, so replayed runs stay the same', () => {
    const random = vi.fn(() => 0);
    const frame = unlock(3);
    expect(damageRequest(frame, { ...noBusFaults }, random)).toEqual({
      bytes: [...frame],
      dropped: 0,
      corrupted: 0,
    });
    expect(random).not.toHaveBeenCalled();
  });
});
