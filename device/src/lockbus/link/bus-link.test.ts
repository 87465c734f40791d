import { Duplex } from 'node:stream';
import { cu48ReplySpec, encodeCu48StatusReply } from '@locker/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BusLink } from './bus-link.ts';

/** A board that answers every request with the given replies, in order. */
function scriptedPort(replies: Buffer[]): Duplex {
  const port: Duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      const reply = replies.shift();
      if (reply) setImmediate(() => port.push(reply));
      callback();
    },
  });
  return port;
}

const goodReply = encodeCu48StatusReply({ address: 0, lockBits: Array(48).fill(false) });
const badReply = Buffer.from(goodReply);
badReply[5] = badReply[5]! ^ 0x10;

let link: BusLink | undefined;
afterEach(async () => {
  await link?.stop();
  link = undefined;
});

const options = {
  replySpec: cu48ReplySpec,
  interFrameGapMs: 0,
  baudRate: 19200,
  silenceMs: 5,
  reconnectMinMs: 10,
  reconnectMaxMs: 10,
  portOpenTimeoutMs: 200,
  portWriteTimeoutMs: 200,
  logger: pino({ level: 'silent' }),
};

async function startLink(replies: Buffer[]): Promise<BusLink> {
  link = new BusLink({
    ...options,
    openPort: async () => scriptedPort(replies),
  });
  await link.start();
  return link;
}

const statusExchange = {
  name: 'status 0',
  request: Buffer.from('02 00 00 50 03 55'.replaceAll(' ', ''), 'hex'),
  reply: { matches: () => true, timeoutMs: 3000 },
  priority: 'normal' as const,
  kind: 'status' as const,
};

/** A port whose write callback never comes: the USB adapter vanished mid-write. */
function wedgedPort(): Duplex {
  return new Duplex({ read() {}, write() {} });
}

async function until(what: string, predicate: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('BusLink port operations are bounded', () => {
  it('a write that never completes fails with LINK_WRITE_TIMEOUT and the port is reopened', async () => {
    const ports = [wedgedPort(), scriptedPort([goodReply])];
    link = new BusLink({ ...options, openPort: async () => ports.shift()! });
    await link.start();
    await expect(link.exchange(statusExchange)).rejects.toMatchObject({
      code: 'LINK_WRITE_TIMEOUT',
      written: true,
    });
    await until('reopened', () => link!.counters().reconnects === 1 && link!.state === 'open');
    await expect(link.exchange(statusExchange)).resolves.toEqual(goodReply);
    expect(link.counters().writeTimeouts).toBe(1);
  });

  it('an open that never completes is given up and retried', async () => {
    const opens: (() => Promise<Duplex>)[] = [
      () => new Promise<Duplex>(() => undefined),
      async () => scriptedPort([goodReply]),
    ];
    link = new BusLink({ ...options, openPort: () => opens.shift()!() });
    void link.start();
    await until('open', () => link!.state === 'open');
    expect(link.counters().openTimeouts).toBe(1);
    await expect(link.exchange(statusExchange)).resolves.toEqual(goodReply);
  });
});

describe('BusLink', () => {
  it('a reply with a bad checksum ends the wait at once (LINK_BAD_FRAME), not at the reply timeout', async () => {
    const l = await startLink([badReply, goodReply]);
    await expect(l.exchange(statusExchange)).rejects.toMatchObject({ code: 'LINK_BAD_FRAME', written: true });
    expect(l.counters().timeouts).toBe(0);
    await expect(l.exchange(statusExchange)).resolves.toEqual(goodReply);
  });

  it('reports each request on the wire with monotonic drained and last-byte times', async () => {
    const l = await startLink([goodReply]);
    const wires: { drainedAt: number; wireEndAt: number; bytes: number }[] = [];
    l.on('wire', (wire) => wires.push(wire));
    await l.exchange(statusExchange);
    expect(wires).toHaveLength(1);
    // 6 bytes at 19200 Bd 8N1 = 3.125 ms on the wire
    expect(wires[0]!.wireEndAt - wires[0]!.drainedAt).toBeCloseTo(3.125, 6);
    expect(wires[0]!.bytes).toBe(6);
  });
});
