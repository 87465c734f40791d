import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { hexByte as hex } from './hex.ts';
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
 * Frame layout and lengths are the same in both.
 */
export const cu48CommandSets: Readonly<
  Record<Cu48CommandSetName, Readonly<{ status: number; unlock: number; statusReply: number }>>
> = {
  'v2.1': { status: cu48.statusCommand, unlock: cu48.unlockCommand, statusReply: cu48.statusReplyCommand },
  '0x60': { status: 0x60, unlock: 0x61, statusReply: 0x75 },
};

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
  const command = cu48CommandSets[commandSet].statusReply;
  const frame = Buffer.from([cu48.stx, reply.address, 0x00, command, ...data, cu48.etx, 0]);
  frame[11] = sum8(frame, 0, 11);
  return frame;
}

export function decodeCu48StatusReply(
  frame: Uint8Array,
  commandSet: Cu48CommandSetName = 'v2.1',
): Cu48StatusReply {
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

export const cu48RequestSpec = kerongFrameSpec('kerong-cu48 request', cu48.requestLength);
export const cu48ReplySpec = kerongFrameSpec('kerong-cu48 reply', cu48.statusReplyLength);
