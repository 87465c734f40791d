import { fromHex, modbusCrc } from '@locker/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../simulator.ts';

let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

/** One Modbus board, slave 1, 8 relays and inputs, in process; replies collected as they come. */
async function start(closedInputValue: 0 | 1 = 1) {
  simulator = new Simulator({
    protocol: 'modbus-rtu',
    boards: 1,
    locks: 8,
    pty: false,
    controlPort: null,
    paceBaudRate: null,
    physics: { springMs: 0, bounceMs: 0 },
    modbus: { closedInputValue },
  });
  await simulator.start();
  const master = simulator.connectInProcess();
  const replies: Buffer[] = [];
  master.on('data', (chunk: Buffer) => replies.push(chunk));
  const sim = simulator;
  /** Sends `request` and waits for the board to have handled it (and any reply to have arrived). */
  async function ask(request: Buffer): Promise<Buffer | undefined> {
    const repliesBefore = sim.simBus.counters.replies;
    replies.length = 0;
    let handled = false;
    sim.simBus.once('request', () => {
      handled = true;
    });
    master.write(request);
    await vi.waitFor(() => expect(handled).toBe(true), { timeout: 10_000 });
    if (sim.simBus.counters.replies === repliesBefore) return undefined;
    await vi.waitFor(() => expect(Buffer.concat(replies).length).toBeGreaterThan(0), { timeout: 10_000 });
    return Buffer.concat(replies);
  }
  return { sim, master, ask };
}

function withCrc(hex: string): Buffer {
  const body = fromHex(hex);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(modbusCrc(body));
  return Buffer.concat([body, crc]);
}

describe('simulated Modbus RTU relay board', () => {
  it('answers the vendor wiki input read byte for byte (01 02 01 00 A1 88: no input active)', async () => {
    const { ask } = await start(0);
    expect(await ask(fromHex('01 02 00 00 00 08 79 CC'))).toEqual(fromHex('01 02 01 00 A1 88'));
  });

  it('the vendor flash-on frame pulses relay 0: latch released, door springs open, request echoed', async () => {
    const { sim, ask } = await start();
    const flash = fromHex('01 05 02 00 00 07 8D B0');
    expect(await ask(flash)).toEqual(flash);
    expect(sim.door(1, 1).snapshot()).toMatchObject({ unlockCount: 1, open: true });
    expect(sim.simBus.counters.unlockCommands).toBe(1);
    // door 1 now open: its input (bit 0) inactive with closed = active
    expect(await ask(fromHex('01 02 00 00 00 08 79 CC'))).toEqual(withCrc('01 02 01 FE'));
  });

  it('answers exceptions: 02 for a relay or input it lacks, 03 for a zero pulse, 01 for a function it does not serve', async () => {
    const { sim, ask } = await start();
    expect(await ask(withCrc('01 05 02 08 00 05'))).toEqual(withCrc('01 85 02'));
    expect(await ask(withCrc('01 05 02 00 00 00'))).toEqual(withCrc('01 85 03'));
    expect(await ask(withCrc('01 02 00 00 00 09'))).toEqual(withCrc('01 82 02'));
    expect(await ask(withCrc('01 02 00 00 00 00'))).toEqual(withCrc('01 82 03'));
    expect(await ask(withCrc('01 03 00 00 00 01'))).toEqual(withCrc('01 83 01'));
    expect(await ask(withCrc('01 05 00 00 FF 00'))).toEqual(withCrc('01 85 02'));
    expect(sim.simBus.boards[0]!.doors.every((door) => door.snapshot().unlockCount === 0)).toBe(true);
  });

  it('refuses a request with a bad CRC: counted, nothing done, no reply', async () => {
    const { sim, master } = await start();
    master.write(fromHex('01 05 02 00 00 07 8D B1'));
    await vi.waitFor(() => expect(sim.simBus.counters.checksumErrors).toBeGreaterThan(0), {
      timeout: 10_000,
    });
    expect(sim.simBus.counters.replies).toBe(0);
    expect(sim.door(1, 1).snapshot().unlockCount).toBe(0);
  });

  it('ignores frames for another slave and acts on a broadcast pulse without answering', async () => {
    const { sim, ask } = await start();
    expect(await ask(withCrc('02 05 02 00 00 05'))).toBeUndefined();
    expect(await ask(withCrc('00 05 02 02 00 05'))).toBeUndefined();
    expect(sim.door(1, 3).snapshot().unlockCount).toBe(1);
    expect(sim.door(1, 1).snapshot().unlockCount).toBe(0);
  });
});
