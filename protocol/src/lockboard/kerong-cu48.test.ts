import { describe, expect, it } from 'vitest';
import { cu48Frames, cu48Variant60Frames } from './fixtures/recorded-frames.ts';
import { FrameError } from './frame-error.ts';
import {
  cu48ReplySpecFor,
  decodeCu48Request,
  decodeCu48StatusReply,
  encodeCu48Request,
  encodeCu48StatusReply,
  encodeCu48UnlockAck,
} from './kerong-cu48.ts';

describe('Kerong CU48 codec', () => {
  it('encodes the recorded status-all and unlock requests byte for byte', () => {
    expect(encodeCu48Request({ address: 0, lock: 'all', command: 'status' })).toEqual(
      cu48Frames.statusAllBoard0,
    );
    expect(encodeCu48Request({ address: 0, lock: 1, command: 'unlock' })).toEqual(
      cu48Frames.unlockBoard0Lock1,
    );
    expect(encodeCu48Request({ address: 1, lock: 48, command: 'unlock' })).toEqual(
      cu48Frames.unlockBoard1Lock48,
    );
  });

  it('decodes recorded requests', () => {
    expect(decodeCu48Request(cu48Frames.unlockBoard1Lock48)).toEqual({
      address: 1,
      lock: 48,
      command: 'unlock',
    });
    expect(decodeCu48Request(cu48Frames.statusAllBoard0)).toEqual({
      address: 0,
      lock: 'all',
      command: 'status',
    });
  });

  it('decodes a status reply with bit 0 of D1 as lock 1', () => {
    const reply = decodeCu48StatusReply(cu48Frames.statusReplyLock1Set);
    expect(reply.address).toBe(0);
    expect(reply.lockBits).toHaveLength(48);
    expect(reply.lockBits[0]).toBe(true);
    expect(reply.lockBits.slice(1).every((bit) => !bit)).toBe(true);
    expect(decodeCu48StatusReply(cu48Frames.statusReplyAllSet).lockBits.every(Boolean)).toBe(true);
  });

  it('decodes the vendor document example (v2.1): request with lock byte 00, reply bits for locks 1–3, 47, 48', () => {
    expect(decodeCu48Request(cu48Frames.statusBoard0Vendor)).toEqual({
      address: 0,
      lock: 1,
      command: 'status',
    });
    const { lockBits } = decodeCu48StatusReply(cu48Frames.statusReplyVendorExample);
    expect(lockBits.flatMap((bit, i) => (bit ? [i + 1] : []))).toEqual([1, 2, 3, 47, 48]);
  });

  it('encodes status replies that decode to the same bits', () => {
    const lockBits = Array.from({ length: 48 }, (_, i) => i % 3 === 0);
    expect(decodeCu48StatusReply(encodeCu48StatusReply({ address: 7, lockBits }))).toEqual({
      address: 7,
      lockBits,
    });
  });

  it('rejects a request with a bad checksum, naming both sums', () => {
    const bad = Buffer.from(cu48Frames.unlockBoard0Lock1);
    bad[5] = 0x57;
    expect(() => decodeCu48Request(bad)).toThrow(/FRAME_BAD_CHECKSUM.*0x56.*0x57/);
  });

  it('rejects wrong length, missing ETX, unknown command and out-of-range fields', () => {
    expect(() => decodeCu48Request(cu48Frames.unlockBoard0Lock1.subarray(0, 5))).toThrow(/FRAME_BAD_LENGTH/);
    const noEtx = Buffer.from([0x02, 0x00, 0x00, 0x51, 0x04, 0x57]);
    expect(() => decodeCu48Request(noEtx)).toThrow(/FRAME_BAD_MARKER/);
    const unknown = Buffer.from([0x02, 0x00, 0x00, 0x52, 0x03, 0x57]);
    expect(() => decodeCu48Request(unknown)).toThrow(/FRAME_UNKNOWN_COMMAND/);
    const badLock = Buffer.from([0x02, 0x00, 0x31, 0x51, 0x03, 0x87]);
    expect(() => decodeCu48Request(badLock)).toThrow(/FRAME_BAD_FIELD/);
    expect(() => encodeCu48Request({ address: 11, lock: 1, command: 'unlock' })).toThrow(FrameError);
    expect(() => encodeCu48Request({ address: 0, lock: 49, command: 'unlock' })).toThrow(/1–48/);
  });
});

describe('Kerong CU48 codec, 0x60/0x61 command set', () => {
  it("encodes the public driver's status and unlock frames byte for byte", () => {
    expect(encodeCu48Request({ address: 0, lock: 1, command: 'status' }, '0x60')).toEqual(
      cu48Variant60Frames.statusBoard0,
    );
    expect(encodeCu48Request({ address: 0, lock: 1, command: 'unlock' }, '0x60')).toEqual(
      cu48Variant60Frames.unlockBoard0Lock1,
    );
    expect(encodeCu48UnlockAck(1, 1)).toEqual(cu48Variant60Frames.unlockAckBoard1Lock1);
  });

  it('decodes 0x60/0x61 requests and a 48-lock 0x75 reply (length byte 06, no ETX)', () => {
    expect(decodeCu48Request(cu48Variant60Frames.unlockBoard0Lock1, '0x60')).toEqual({
      address: 0,
      lock: 1,
      command: 'unlock',
    });
    expect(decodeCu48Request(cu48Variant60Frames.statusBoard0, '0x60')).toMatchObject({ command: 'status' });
    const { lockBits } = decodeCu48StatusReply(cu48Variant60Frames.statusReplyVendorBits, '0x60');
    expect(lockBits.flatMap((bit, i) => (bit ? [i + 1] : []))).toEqual([1, 2, 3, 47, 48]);
    expect(encodeCu48StatusReply({ address: 0, lockBits }, '0x60')).toEqual(
      cu48Variant60Frames.statusReplyVendorBits,
    );
  });

  it("frames the driver's replies by their length byte: the unlock ack and a short status are whole frames", () => {
    const spec = cu48ReplySpecFor(['0x60']);
    const ack = cu48Variant60Frames.unlockAckBoard1Lock1;
    expect(spec.match(ack, false)).toEqual({ kind: 'frame', length: 6 });
    expect(spec.match(ack.subarray(0, 5), false)).toEqual({ kind: 'incomplete' });
    expect(spec.match(cu48Variant60Frames.statusReply24LocksBoard1, false)).toEqual({
      kind: 'frame',
      length: 9,
    });
    expect(spec.match(cu48Variant60Frames.statusReplyVendorBits, false)).toEqual({
      kind: 'frame',
      length: 12,
    });
    expect(cu48ReplySpecFor(['v2.1', '0x60']).match(cu48Frames.statusReplyVendorExample, false)).toEqual({
      kind: 'frame',
      length: 12,
    });
  });

  it('refuses a status reply that does not carry all 48 bits (the driver’s 24-lock example), never reading doors open', () => {
    expect(() => decodeCu48StatusReply(cu48Variant60Frames.statusReply24LocksBoard1, '0x60')).toThrow(
      /FRAME_BAD_LENGTH/,
    );
    const badSum = Buffer.from(cu48Variant60Frames.statusReplyVendorBits);
    badSum[11] = 0x45;
    expect(() => decodeCu48StatusReply(badSum, '0x60')).toThrow(/FRAME_BAD_CHECKSUM/);
  });

  it('a set answers only its own commands: the other set is an unknown command', () => {
    expect(() => decodeCu48Request(cu48Variant60Frames.unlockBoard0Lock1)).toThrow(/FRAME_UNKNOWN_COMMAND/);
    expect(() => decodeCu48Request(cu48Frames.unlockBoard0Lock1, '0x60')).toThrow(/FRAME_UNKNOWN_COMMAND/);
    expect(() => decodeCu48StatusReply(cu48Frames.statusReplyVendorExample, '0x60')).toThrow(
      /FRAME_BAD_MARKER/,
    );
  });
});
