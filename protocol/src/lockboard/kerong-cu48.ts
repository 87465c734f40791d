import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import type { FrameMatch, FrameSpec } from './frame-spec.ts';
import { hexByte as hex, toHex } from './hex.ts';
import type { Cu48CommandSetName } from './kerong-dialect.ts';
import { expectKerongFrame, kerongFrame, kerongFrameSpec } from './kerong-frame.ts';

/** Kerong CU48 (vendor protocol v2.1). Byte reference: hardware-docs/protocols/kerong-cu48.md */
export const cu48 = {
  baudRate: 19200,
  stx: kerongFrame.stx,
  etx: kerongFrame.etx,
  statusCommand: 0x50,
  unlockCommand: 0x51,
  statusReplyCommand: 0x65,
  maxAddress: 0x09,
  broadcastAddress: 0x0a,
  lockCount: 48,
  allLocks: 0x30,
  requestLength: 6,
  statusReplyLength: 12,
} as const;

/**
 * Command bytes per command set: the v2.1 document's 0x50/0x51 → 0x65, and the 0x60/0x61 → 0x75
 * set that some CU48 firmware uses (hardware-docs/protocols/kerong-cu48.md, "Command sets").
 * Requests are framed alike; the 0x60 set's replies are not (see `cu48Variant60`).
 */
export const cu48CommandSets: Readonly<
  Record<Cu48CommandSetName, Readonly<{ status: number; unlock: number; statusReply: number }>>
> = {
  'v2.1': { status: cu48.statusCommand, unlock: cu48.unlockCommand, statusReply: cu48.statusReplyCommand },
  '0x60': { status: 0x60, unlock: 0x61, statusReply: 0x75 },
};

/**
 * Replies of the 0x60 set: `02 ADDR LOCK 75 LEN DATA×LEN SUM`, no ETX; LEN 6 (48 lock bits) for a
 * status, LEN 0 for the acknowledgement of an unlock.
 */
export const cu48Variant60 = {
  replyCommand: 0x75,
  headerLength: 5,
  statusDataLength: 6,
  statusReplyLength: 12,
  unlockAckLength: 6,
} as const;

export type Cu48Command = 'status' | 'unlock';

/** `lock` is 1–48 as printed on the board, or 'all' (wire 0x30). `address` 0–9, or 10 for every board. */
export interface Cu48Request {
  address: number;
  lock: number | 'all';
  command: Cu48Command;
}

/** `lockBits[i]` is the raw bit for lock i+1; its meaning (closed = 1 or 0) is the board's dialect. */
export interface Cu48StatusReply {
  address: number;
  lockBits: boolean[];
}

export function encodeCu48Request(request: Cu48Request, commandSet: Cu48CommandSetName = 'v2.1'): Buffer {
  const { address, lock } = request;
  if (!Number.isInteger(address) || address < 0 || address > cu48.broadcastAddress) {
    throw new FrameError('FRAME_BAD_FIELD', `CU48 address must be 0–9 or 10 (all boards), got ${address}`);
  }
  if (lock !== 'all' && (!Number.isInteger(lock) || lock < 1 || lock > cu48.lockCount)) {
    throw new FrameError('FRAME_BAD_FIELD', `CU48 lock must be 1–48 or 'all', got ${lock}`);
  }
  const lockByte = lock === 'all' ? cu48.allLocks : lock - 1;
  const command = cu48CommandSets[commandSet][request.command];
  const frame = Buffer.from([cu48.stx, address, lockByte, command, cu48.etx, 0]);
  frame[5] = sum8(frame, 0, 5);
  return frame;
}

/** Throws FRAME_UNKNOWN_COMMAND for a command of another set: a board answers only its own. */
export function decodeCu48Request(frame: Uint8Array, commandSet: Cu48CommandSetName = 'v2.1'): Cu48Request {
  expectKerongFrame(frame, cu48.requestLength, 'CU48 request');
  const [, address, lockByte, command] = frame as unknown as [number, number, number, number];
  if (address > cu48.broadcastAddress)
    throw new FrameError('FRAME_BAD_FIELD', `CU48 address 0x${hex(address)} > 0x0a`);
  if (lockByte > cu48.allLocks)
    throw new FrameError('FRAME_BAD_FIELD', `CU48 lock byte 0x${hex(lockByte)} > 0x30`);
  const lock = lockByte === cu48.allLocks ? 'all' : lockByte + 1;
  const set = cu48CommandSets[commandSet];
  if (command === set.status) return { address, lock, command: 'status' };
  if (command === set.unlock) return { address, lock, command: 'unlock' };
  throw new FrameError(
    'FRAME_UNKNOWN_COMMAND',
    `CU48 command 0x${hex(command)} is not 0x${hex(set.status)} or 0x${hex(set.unlock)} (command set ${commandSet})`,
  );
}

export function encodeCu48StatusReply(
  reply: Cu48StatusReply,
  commandSet: Cu48CommandSetName = 'v2.1',
): Buffer {
  const data = bytesFromBits(reply.lockBits, 6);
  const frame =
    commandSet === '0x60'
      ? Buffer.from([cu48.stx, reply.address, 0x00, cu48Variant60.replyCommand, data.length, ...data, 0])
      : Buffer.from([cu48.stx, reply.address, 0x00, cu48.statusReplyCommand, ...data, cu48.etx, 0]);
  frame[frame.length - 1] = sum8(frame, 0, frame.length - 1);
  return frame;
}

/** 0x60 set only: the board's acknowledgement of an unlock, `02 ADDR LOCK 75 00 SUM`. */
export function encodeCu48UnlockAck(address: number, lock: number): Buffer {
  const frame = Buffer.from([cu48.stx, address, lock - 1, cu48Variant60.replyCommand, 0x00, 0]);
  frame[5] = sum8(frame, 0, 5);
  return frame;
}

export function decodeCu48StatusReply(
  frame: Uint8Array,
  commandSet: Cu48CommandSetName = 'v2.1',
): Cu48StatusReply {
  if (commandSet === '0x60') return decodeCu48Variant60StatusReply(frame);
  expectKerongFrame(frame, cu48.statusReplyLength, 'CU48 status reply');
  const expected = cu48CommandSets[commandSet].statusReply;
  if (frame[3] !== expected) {
    throw new FrameError(
      'FRAME_UNKNOWN_COMMAND',
      `CU48 reply command 0x${hex(frame[3]!)} is not 0x${hex(expected)} (command set ${commandSet})`,
    );
  }
  return { address: frame[1]!, lockBits: bitsFromBytes(frame.subarray(4, 10), cu48.lockCount) };
}

function decodeCu48Variant60StatusReply(frame: Uint8Array): Cu48StatusReply {
  const what = 'CU48 0x60-set status reply';
  if (frame.length !== cu48Variant60.statusReplyLength) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `${what} is ${cu48Variant60.statusReplyLength} bytes, got ${frame.length}: ${toHex(frame)}`,
    );
  }
  const verdict = validateCu48Variant60Reply(frame);
  if (verdict === 'structure') {
    throw new FrameError('FRAME_BAD_MARKER', `${what} needs 02 ADDR LOCK 75 06 D1–D6 SUM: ${toHex(frame)}`);
  }
  if (verdict === 'checksum')
    throw new FrameError('FRAME_BAD_CHECKSUM', `${what} sum mismatch: ${toHex(frame)}`);
  const data = frame.subarray(cu48Variant60.headerLength, cu48Variant60.headerLength + 6);
  return { address: frame[1]!, lockBits: bitsFromBytes(data, cu48.lockCount) };
}

/** `02 ADDR LOCK 75 LEN DATA×LEN SUM`: the length byte must match the frame, the sum its bytes. */
function validateCu48Variant60Reply(frame: Uint8Array): 'ok' | 'checksum' | 'structure' {
  const n = frame.length;
  if (frame[0] !== cu48.stx || frame[3] !== cu48Variant60.replyCommand) return 'structure';
  if (frame[4] !== n - cu48Variant60.headerLength - 1) return 'structure';
  return sum8(frame, 0, n - 1) === frame[n - 1] ? 'ok' : 'checksum';
}

export const cu48RequestSpec = kerongFrameSpec('kerong-cu48 request', cu48.requestLength);
export const cu48ReplySpec = kerongFrameSpec('kerong-cu48 reply', cu48.statusReplyLength);

/**
 * Replies on a bus whose boards use the given command sets (a v2.1-only bus keeps `cu48ReplySpec`).
 * A 0x75 reply is framed by its length byte, so an unlock acknowledgement ends without waiting for silence.
 */
export function cu48ReplySpecFor(commandSets: readonly Cu48CommandSetName[]): FrameSpec {
  if (!commandSets.includes('0x60')) return cu48ReplySpec;
  const v21 = commandSets.includes('v2.1');
  const maxFrameLength = cu48Variant60.headerLength + cu48Variant60.statusDataLength + 1;
  return {
    name: `kerong-cu48 reply (${commandSets.join(', ')})`,
    startBytes: new Set([cu48.stx]),
    maxFrameLength,
    match(bytes, atSilence): FrameMatch {
      if (bytes.length < cu48Variant60.headerLength) return { kind: 'incomplete' };
      if (v21 && bytes[3] === cu48.statusReplyCommand) return cu48ReplySpec.match(bytes, atSilence);
      const dataLength = bytes[4]!;
      if (bytes[3] !== cu48Variant60.replyCommand || dataLength > cu48Variant60.statusDataLength) {
        return { kind: 'invalid', reason: 'structure' };
      }
      const length = cu48Variant60.headerLength + dataLength + 1;
      if (bytes.length < length) return { kind: 'incomplete' };
      const verdict = validateCu48Variant60Reply(bytes.subarray(0, length));
      return verdict === 'ok' ? { kind: 'frame', length } : { kind: 'invalid', reason: verdict };
    },
  };
}
