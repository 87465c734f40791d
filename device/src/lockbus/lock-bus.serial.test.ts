import { SimHarness } from '@locker/test-kit/lockbus';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The device's real `serialport` on a real tty path (a socat pty pair) and a real TCP socket,
 * against the simulator paced at the protocol's line speed.
 */
const cases = [
  { protocol: 'cu48' as const, board: 0, transport: 'pty' as const },
  { protocol: 'xor8a' as const, board: 1, transport: 'pty' as const },
  { protocol: 'cu16' as const, board: 0, transport: 'pty' as const },
  { protocol: 'cu48' as const, board: 0, transport: 'tcp' as const },
  { protocol: 'xor8a' as const, board: 1, transport: 'tcp' as const },
  { protocol: 'modbus-rtu' as const, board: 1, transport: 'pty' as const },
  { protocol: 'modbus-rtu' as const, board: 1, transport: 'tcp' as const },
];

let harness: SimHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe.each(cases)('lock bus over $transport with $protocol', ({ protocol, board, transport }) => {
  it('reads status, opens a door, sees it close, and flags a forced door', async () => {
    harness = await new SimHarness({ protocol, transport, boards: 2 }).start();
    const h = harness;
    expect((await h.bus.readAll()).every((state) => state.door === 'closed')).toBe(true);
    await expect(h.bus.unlock({ board: board + 1, lock: 2 })).resolves.toMatchObject({ lock: 2 });
    h.simulator.act(board + 1, 2, 'close');
    await h.until('closed event', () => h.eventsFor(board + 1, 2).some((e) => e.cause === 'closed'));
    h.simulator.act(board, 9, 'force');
    await h.until('door_forced', () => h.faults.some((f) => f.code === 'door_forced' && f.lock === 9));
  });

  it('survives junk before replies and replies split into late bursts', async () => {
    harness = await new SimHarness({ protocol, transport }).start();
    const h = harness;
    h.simulator.simBus.setFaults({ junkBeforeReply: 3, splitReplies: { parts: 3, delayMs: 4 } });
    await expect(h.bus.unlock({ board, lock: 1 })).resolves.toMatchObject({ lock: 1 });
    expect(h.bus.counters().resyncs).toBeGreaterThan(0);
    expect(h.faults.filter((f) => f.code === 'board_offline')).toEqual([]);
  });

  it('accepts replies split in two bursts 25 ms apart: every unlock confirmed, none reported jammed', async () => {
    harness = await new SimHarness({ protocol, transport }).start();
    const h = harness;
    h.simulator.simBus.setFaults({ splitReplies: { parts: 2, delayMs: 25 } });
    for (const lock of [1, 2, 3, 4, 5, 6]) {
      await expect(h.bus.unlock({ board, lock })).resolves.toMatchObject({ lock });
    }
    expect(h.faults).toEqual([]);
    expect(h.bus.counters().structureErrors + h.bus.counters().checksumErrors).toBe(0);
  });

  it('replies lost while the board executes: the unlock is an unknown outcome, never jammed', async () => {
    harness = await new SimHarness({ protocol, transport }).start();
    const h = harness;
    h.simulator.simBus.setFaults({ dropRate: 1 });
    await expect(h.bus.unlock({ board, lock: 4 })).rejects.toMatchObject({ code: 'UNLOCK_OUTCOME_UNKNOWN' });
    expect(h.simulator.door(board, 4).snapshot()).toMatchObject({ open: true, unlockCount: 1 });
    expect(h.faults.map((f) => f.code)).not.toContain('door_jammed');
  });

  it('jammed lock over a real port: door_jammed, one command, never a false open', async () => {
    harness = await new SimHarness({ protocol, transport }).start();
    const h = harness;
    h.simulator.act(board, 3, 'jam');
    await expect(h.bus.unlock({ board, lock: 3 })).rejects.toMatchObject({ code: 'DOOR_JAMMED' });
    expect(h.simulator.door(board, 3).snapshot().unlockCount).toBe(1);
    expect(h.eventsFor(board, 3).filter((e) => e.door === 'open')).toEqual([]);
  });
});

describe('coil spacing over a real tty', () => {
  it('unlock frames drained by the real serialport leave at least a coil pulse apart on a noisy bus', async () => {
    const coilPulseMs = 40;
    harness = await new SimHarness({
      protocol: 'cu48',
      transport: 'pty',
      timing: { maxCoilsEnergised: 1, coilPulseMs, unlockGapMs: 0, unlockConfirmMs: 3000 },
    }).start();
    const h = harness;
    const drainedAt: number[] = [];
    h.bus.on('wire', (wire) => {
      if (wire.kind === 'unlock') drainedAt.push(wire.drainedAt);
    });
    h.simulator.simBus.setFaults({ corruptRate: 0.05 });
    const locks = Array.from({ length: 20 }, (_, i) => i + 1);
    await Promise.allSettled(locks.map((lock) => h.bus.unlock({ board: 0, lock })));
    expect(drainedAt).toHaveLength(20);
    for (let i = 1; i < drainedAt.length; i++)
      expect(drainedAt[i]! - drainedAt[i - 1]!).toBeGreaterThanOrEqual(coilPulseMs);
    for (const lock of locks) expect(h.simulator.door(0, lock).snapshot().unlockCount).toBe(1);
  });
});

describe('lock bus reconnects', () => {
  it('reopens a tty whose USB adapter was pulled and plugged back (EIO, then ENOENT while gone)', async () => {
    harness = await new SimHarness({ protocol: 'cu48', transport: 'pty' }).start();
    const h = harness;
    await h.simulator.unplugPty();
    await h.until(
      'board_offline while unplugged',
      () => h.faults.some((f) => f.code === 'board_offline'),
      5000,
    );
    await expect(h.bus.unlock({ board: 0, lock: 6 })).rejects.toMatchObject({
      code: 'BOARD_OFFLINE',
      sent: 'no',
    });
    await h.simulator.replugPty();
    await h.until('reconnect', () => h.bus.counters().reconnects >= 1, 5000);
    await h.until('board_online', () => h.faults.some((f) => f.code === 'board_online'), 5000);
    await expect(h.bus.unlock({ board: 0, lock: 6 })).resolves.toMatchObject({ lock: 6 });
    expect(h.simulator.door(0, 6).snapshot().unlockCount).toBe(1);
  });

  it('reopens a TCP bridge connection that dropped and counts the reconnect', async () => {
    harness = await new SimHarness({ protocol: 'cu48', transport: 'tcp' }).start();
    const h = harness;
    expect(h.simulator.dropTcpConnections()).toBe(1);
    await h.until('reconnect', () => h.bus.counters().reconnects >= 1, 5000);
    await expect(h.bus.unlock({ board: 0, lock: 4 })).resolves.toMatchObject({ lock: 4 });
  });

  it('an unlock while the port is down is refused as not sent, and may be retried', async () => {
    harness = await new SimHarness({
      protocol: 'cu48',
      transport: 'tcp',
      timing: { reconnectMinMs: 300 },
    }).start();
    const h = harness;
    expect(h.simulator.dropTcpConnections()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(h.bus.unlock({ board: 0, lock: 5 })).rejects.toMatchObject({
      code: 'UNLOCK_NOT_SENT',
      sent: 'no',
    });
    expect(h.simulator.door(0, 5).snapshot().unlockCount).toBe(0);
    await h.until('reconnect', () => h.bus.counters().reconnects >= 1, 5000);
    await h.until('board answers again', () => h.bus.counters().boards[0]?.online === true, 5000);
    await expect(h.bus.unlock({ board: 0, lock: 5 })).resolves.toMatchObject({ lock: 5 });
  });
});
