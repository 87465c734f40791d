import { type HarnessTransport, SimHarness } from '@locker/test-kit/lockbus';
import { afterEach, describe, expect, it } from 'vitest';
import { LockBusError } from './lock-bus-error.ts';

/** A simulated CU48 whose firmware speaks the 0x60/0x61 command set (status reply 0x75). */
const variantBoard = { kerongDialect: { cu48Commands: '0x60' as const } };

let harness: SimHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(
  transport: HarnessTransport,
  board: ConstructorParameters<typeof SimHarness>[0]['board'],
): Promise<SimHarness> {
  harness = new SimHarness({ protocol: 'cu48', transport, sim: variantBoard, board });
  return harness.start();
}

/** Command bytes of the requests the simulated board accepted. */
function acceptedCommands(h: SimHarness): number[] {
  const commands: number[] = [];
  h.simulator.simBus.on('request', (request: { bytes: Buffer }) => commands.push(request.bytes[3]!));
  return commands;
}

describe.each(['in-process', 'pty'] as const)('CU48 0x60/0x61 board over %s', (transport) => {
  it('with cu48Commands 0x60: reads status, opens a door, sees it close, flags a forced door', async () => {
    const h = await start(transport, variantBoard);
    const commands = acceptedCommands(h);
    expect((await h.bus.readAll()).every((state) => state.door === 'closed')).toBe(true);
    await expect(h.bus.unlock({ board: 0, lock: 7 })).resolves.toMatchObject({ board: 0, lock: 7 });
    expect(h.simulator.door(0, 7).snapshot()).toMatchObject({ open: true, unlockCount: 1 });
    expect(h.eventsFor(0, 7).map((e) => [e.door, e.cause])).toContainEqual(['open', 'unlock']);
    h.simulator.act(0, 7, 'close');
    await h.until('closed event', () =>
      h.eventsFor(0, 7).some((e) => e.door === 'closed' && e.cause === 'closed'),
    );
    h.simulator.act(0, 30, 'force');
    await h.until('door_forced', () => h.faults.some((f) => f.code === 'door_forced' && f.lock === 30));
    expect(new Set(commands)).toEqual(new Set([0x60, 0x61]));
    expect(h.simulator.simBus.counters.badFrames).toBe(0);
  });

  it('0x75 replies split in bursts 25 ms apart, junk before them: every unlock confirmed, none jammed', async () => {
    const h = await start(transport, variantBoard);
    h.simulator.simBus.setFaults({ junkBeforeReply: 3, splitReplies: { parts: 2, delayMs: 25 } });
    for (const lock of [1, 2, 3, 4]) {
      await expect(h.bus.unlock({ board: 0, lock })).resolves.toMatchObject({ lock });
    }
    expect(h.faults).toEqual([]);
    expect(h.bus.counters().checksumErrors).toBe(0);
  });

  it('unlock acknowledgement and status replies lost: an unknown outcome, sent once, never jammed', async () => {
    const h = await start(transport, variantBoard);
    h.simulator.simBus.setFaults({ dropRate: 1 });
    await expect(h.bus.unlock({ board: 0, lock: 4 })).rejects.toMatchObject({
      code: 'UNLOCK_OUTCOME_UNKNOWN',
    });
    expect(h.simulator.door(0, 4).snapshot()).toMatchObject({ open: true, unlockCount: 1 });
    expect(h.simulator.simBus.counters.unlockCommands).toBe(1);
    expect(h.faults.map((f) => f.code)).not.toContain('door_jammed');
  });

  it('with the default command set (0x50/0x51) the board stays silent: offline, nothing unlocked', async () => {
    const h = await start(transport, undefined);
    await h.until('board_offline', () => h.faults.some((f) => f.code === 'board_offline'));
    expect((await h.bus.readAll()).every((state) => state.door === 'unknown')).toBe(true);
    const error = await h.bus.unlock({ board: 0, lock: 7 }).then(
      () => new Error('expected the unlock to be refused'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockBusError);
    expect(error).toMatchObject({ code: 'BOARD_OFFLINE', sent: 'no' });
    const { counters, boards } = h.simulator.snapshot();
    expect(counters.unlockCommands).toBe(0);
    expect(counters.badFrames).toBeGreaterThan(0);
    expect(boards[0]!.doors.every((door) => door.unlockCount === 0 && !door.open)).toBe(true);
  });
});
