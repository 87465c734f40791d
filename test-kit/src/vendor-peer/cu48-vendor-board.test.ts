import { Duplex } from 'node:stream';
import { portOpenerFor } from '@locker/device';
import { PtyPair } from '@locker/simulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cu48VendorBoards, type Cu48VendorOptions } from './cu48-vendor-board.ts';
import { Cu48VendorError } from './cu48-vendor-error.ts';
import { cu48Checksum, cu48Document, cu48Request } from './cu48-vendor-frames.ts';

const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex');

/** The board side of a bus in memory: what the host sends, and every write the boards make. */
function memoryBus() {
  const written: Buffer[] = [];
  const port = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(Buffer.from(chunk));
      done();
    },
  });
  return {
    openPort: async () => port,
    send: (bytes: Buffer) => port.push(bytes),
    written,
    replies: () => Buffer.concat(written),
  };
}

let peer: Cu48VendorBoards | undefined;
let pty: PtyPair | undefined;
afterEach(async () => {
  await peer?.stop();
  await pty?.stop();
  peer = undefined;
  pty = undefined;
});

async function startPeer(options: Omit<Cu48VendorOptions, 'openPort'>, bus = memoryBus()) {
  peer = new Cu48VendorBoards({ ...options, openPort: bus.openPort });
  await peer.start();
  return { peer, bus };
}

/** p.5 §2.5.1 example 1: locks 1, 2, 3, 47, 48 locked (doors shut), the other 43 unlocked (open). */
function openAllBut(boards: Cu48VendorBoards, address: number, shut: number[]) {
  for (let lock = 1; lock <= 48; lock++) if (!shut.includes(lock)) boards.openByHand(address, lock);
}

describe('Kerong CU48 board written from the vendor document', () => {
  it("computes the document's checksums: low byte of the sum of every byte before SUM", () => {
    expect(cu48Checksum(hex('02 00 00 50 03'))).toBe(0x55);
    expect(cu48Checksum(hex('02 0A 00 50 03'))).toBe(0x5f);
    expect(cu48Checksum(hex('02 00 30 51 03'))).toBe(0x86);
    expect(cu48Checksum(hex('02 0A 30 51 03'))).toBe(0x90);
    expect(cu48Checksum(hex('02 00 00 65 07 00 00 00 00 C0 03'))).toBe(0x31);
    expect(cu48Checksum(hex('02 01 00 65 00 00 80 00 00 00 03'))).toBe(0xeb);
    expect(cu48Request({ address: 0, lockByte: 0, command: 0x51 })).toEqual(hex('02 00 00 51 03 56'));
  });

  it("answers the document's status example byte for byte (set bit = locked hook)", async () => {
    const { peer, bus } = await startPeer({ addresses: [0] });
    openAllBut(peer, 0, [1, 2, 3, 47, 48]);
    bus.send(hex('02 00 00 50 03 55'));
    await vi.waitFor(() => expect(bus.replies()).toEqual(hex('02 00 00 65 07 00 00 00 00 C0 03 31')));
  });

  it("answers the document's broadcast status example: every board in address order", async () => {
    const { peer, bus } = await startPeer({ addresses: [1, 0] });
    openAllBut(peer, 0, [1, 2, 3, 47, 48]);
    openAllBut(peer, 1, [24]);
    bus.send(hex('02 0A 00 50 03 5F'));
    await vi.waitFor(() =>
      expect(bus.replies()).toEqual(
        hex('02 00 00 65 07 00 00 00 00 C0 03 31 02 01 00 65 00 00 80 00 00 00 03 EB'),
      ),
    );
  });

  it('opens lock 1 for LOCKNUM 0x00 a moment later, and sends no reply to an unlock', async () => {
    const { peer, bus } = await startPeer({ addresses: [0] });
    bus.send(hex('02 00 00 51 03 56'));
    await vi.waitFor(() => expect(peer.isOpen(0, 1)).toBe(true));
    expect(peer.unlocksExecuted(0, 1)).toBe(1);
    expect(peer.unlocksExecuted(0, 2)).toBe(0);
    bus.send(hex('02 00 00 50 03 55'));
    // The first bytes back are the status reply (lock 1 clear = unlocked, 47 others set): nothing came for the unlock.
    await vi.waitFor(() => expect(bus.replies()).toEqual(hex('02 00 00 65 FE FF FF FF FF FF 03 63')));
  });

  it('opens lock n for LOCKNUM n−1, every lock for 0x30, and ignores LOCKNUM above 0x30', async () => {
    const { peer, bus } = await startPeer({ addresses: [0, 3], doorOpenDelayMs: 0 });
    bus.send(cu48Request({ address: 0, lockByte: 0x10, command: 0x51 }));
    bus.send(cu48Request({ address: 3, lockByte: 0x31, command: 0x51 }));
    bus.send(hex('02 00 30 51 03 86'));
    await vi.waitFor(() => expect(peer.frames()).toHaveLength(3));
    expect(peer.frames().map((f) => f.fate)).toEqual(['executed', 'unknown-command', 'executed']);
    expect(peer.unlocksExecuted(0, 17)).toBe(2);
    expect(peer.unlocksExecuted(0, 48)).toBe(1);
    expect(peer.unlocksExecuted(3, 1)).toBe(0);
    await vi.waitFor(() => expect(peer.isOpen(0, 48)).toBe(true));
    expect(peer.isOpen(3, 1)).toBe(false);
  });

  it('unlocks every lock of every board for 02 0A 30 51 03 90', async () => {
    const { peer, bus } = await startPeer({ addresses: [0, 1], doorOpenDelayMs: 0 });
    bus.send(hex('02 0A 30 51 03 90'));
    await vi.waitFor(() => expect(peer.isOpen(1, 48)).toBe(true));
    expect(peer.unlocksExecuted(0, 1) + peer.unlocksExecuted(1, 24)).toBe(2);
  });

  it('keeps a door open until the test closes it', async () => {
    const { peer, bus } = await startPeer({ addresses: [0], doorOpenDelayMs: 0 });
    bus.send(cu48Request({ address: 0, lockByte: 4, command: 0x51 }));
    await vi.waitFor(() => expect(peer.isOpen(0, 5)).toBe(true));
    peer.close(0, 5);
    bus.send(cu48Request({ address: 0, lockByte: 0, command: 0x50 }));
    await vi.waitFor(() => expect(bus.replies()).toHaveLength(12));
    expect(bus.replies()[4]).toBe(0xff);
  });

  it('reports a set bit for an open door on the other switch wiring (invertSensor)', async () => {
    const { peer, bus } = await startPeer({ addresses: [2], invertSensor: true });
    peer.openByHand(2, 9);
    bus.send(cu48Request({ address: 2, lockByte: 0, command: 0x50 }));
    await vi.waitFor(() => expect(bus.replies()).toHaveLength(12));
    expect([...bus.replies().subarray(4, 10)]).toEqual([0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);
  });

  it('ignores a request with a bad checksum or ETX, frames for other addresses, and resyncs on junk', async () => {
    const { peer, bus } = await startPeer({ addresses: [0] });
    bus.send(Buffer.concat([hex('02 00 00 51 03 57'), hex('02 00 00 51 04 57'), hex('FF 02')]));
    bus.send(Buffer.concat([hex('02 01 00 50 03 56'), hex('02 00 00 50 03 55')]));
    await vi.waitFor(() => expect(bus.replies()).toHaveLength(12));
    expect(peer.unlocksExecuted(0, 1)).toBe(0);
    const fates = peer.frames().map((f) => f.fate);
    expect(fates.filter((f) => f === 'rejected').length).toBeGreaterThanOrEqual(3);
    expect(fates.slice(-2)).toEqual(['not-addressed', 'executed']);
  });

  it('splits a reply into two writes at splitReplyAfterBytes', async () => {
    const { bus } = await startPeer({ addresses: [0], splitReplyAfterBytes: 5, splitDelayMs: 25 });
    bus.send(hex('02 00 00 50 03 55'));
    await vi.waitFor(() => expect(bus.written).toHaveLength(2));
    expect(bus.written.map((w) => w.length)).toEqual([5, 7]);
  });

  it('executes commands but loses every reply (executeButNeverReply)', async () => {
    const { peer, bus } = await startPeer({ addresses: [0], doorOpenDelayMs: 0 });
    peer.setFaults({ executeButNeverReply: true });
    bus.send(hex('02 00 00 51 03 56'));
    bus.send(hex('02 00 00 50 03 55'));
    await vi.waitFor(() => expect(peer.stats().repliesLost).toBe(1));
    await vi.waitFor(() => expect(peer.isOpen(0, 1)).toBe(true));
    expect(bus.written).toEqual([]);
  });

  it('never sees a dropped request, and a powered-off board does nothing', async () => {
    const { peer, bus } = await startPeer({ addresses: [0], requestDropRate: 1 });
    bus.send(hex('02 00 00 51 03 56'));
    await vi.waitFor(() => expect(peer.frames()).toHaveLength(1));
    peer.setFaults({ requestDropRate: 0, silent: true });
    bus.send(hex('02 00 00 51 03 56'));
    await vi.waitFor(() => expect(peer.frames()).toHaveLength(2));
    expect(peer.frames().map((f) => f.fate)).toEqual(['lost', 'powered-off']);
    expect(peer.unlocksExecuted(0, 1)).toBe(0);
    expect(peer.stats().requestsLost).toBe(1);
  });

  it('corrupts the same bytes for the same seed, so a fault run can be replayed', async () => {
    const corruptedWith = async (seed: number) => {
      const bus = memoryBus();
      const boards = new Cu48VendorBoards({
        addresses: [0],
        replyCorruptRate: 0.3,
        seed,
        openPort: bus.openPort,
      });
      await boards.start();
      for (let i = 0; i < 5; i++) bus.send(hex('02 00 00 50 03 55'));
      await vi.waitFor(() => expect(boards.stats().repliesSent).toBe(5));
      await boards.stop();
      return bus.replies();
    };
    const first = await corruptedWith(7);
    expect(await corruptedWith(7)).toEqual(first);
    expect(first).not.toEqual(
      Buffer.concat(Array.from({ length: 5 }, () => hex('02 00 00 65 FF FF FF FF FF FF 03 64'))),
    );
  });

  it('refuses addresses outside 0x00–0x09 and duplicates', async () => {
    const bus = memoryBus();
    for (const addresses of [[10], [0, 0], [-1]]) {
      const boards = new Cu48VendorBoards({ addresses, openPort: bus.openPort });
      await expect(boards.start()).rejects.toMatchObject({ code: 'CU48_PEER_BAD_OPTIONS' });
    }
    const { peer } = await startPeer({ addresses: [0] });
    expect(() => peer.isOpen(0, 49)).toThrow(Cu48VendorError);
    expect(() => peer.setFaults({ replyLossRate: 2 })).toThrow(Cu48VendorError);
  });

  it('speaks over a real socat pty opened with serialport at the document line speed', async () => {
    pty = new PtyPair();
    await pty.start();
    const { peer } = await startPeer(
      { addresses: [0] },
      { ...memoryBus(), openPort: portOpenerFor(pty.simPath, cu48Document.baudRate) },
    );
    peer.openByHand(0, 48);
    const host = await portOpenerFor(pty.devicePath, cu48Document.baudRate)();
    const received: Buffer[] = [];
    host.on('data', (chunk: Buffer) => received.push(chunk));
    host.write(hex('02 00 00 50 03 55'));
    await vi.waitFor(
      () => expect(Buffer.concat(received)).toEqual(hex('02 00 00 65 FF FF FF FF FF 7F 03 E4')),
      {
        timeout: 5000,
      },
    );
    await new Promise((resolve) => host.destroy() && host.once('close', resolve));
  });
});
