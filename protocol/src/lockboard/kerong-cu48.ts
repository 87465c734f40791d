import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { hexByte as hex } from './hex.ts';
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

const commandByte: Record<Cu48Command, number> = { status: cu48.statusCommand, unlock: cu48.unlockCommand };

export function encodeCu48Request(request: Cu48Request): Buffer {
  const { address, lock } = request;
  if (!Number.isInteger(address) || address < 0 || address > cu48.broadcastAddress) {
    throw new FrameError('FRAME_BAD_FIELD', `CU48 address must be 0–9 or 10 (all boards), got ${address}`);
  }
  if (lock !== 'all' && (!Number.isInteger(lock) || lock < 1 || lock > cu48.lockCount)) {
    throw new FrameError('FRAME_BAD_FIELD', `CU48 lock must be 1–48 or 'all', got ${lock}`);
  }
  const lockByte = lock === 'all' ? cu48.allLocks : lock - 1;
  const frame = Buffer.from([cu48.stx, address, lockByte, commandByte[request.command], cu48.etx, 0]);
  frame[5] = sum8(frame, 0, 5);
  return frame;
}

export function decodeCu48Request(frame: Uint8Array): Cu48Request {
  expectKerongFrame(frame, cu48.requestLength, 'CU48 request');
  const [, address, lockByte, command] = frame as unknown as [number, number, number, number];
  if (address > cu48.broadcastAddress)
    throw new FrameError('FRAME_BAD_FIELD', `CU48 address 0x${hex(address)} > 0x0a`);
  if (lockByte > cu48.allLocks)
    throw new FrameError('FRAME_BAD_FIELD', `CU48 lock byte 0x${hex(lockByte)} > 0x30`);
  const lock = lockByte === cu48.allLocks ? 'all' : lockByte + 1;
  if (command === cu48.statusCommand) return { address, lock, command: 'status' };
  if (command === cu48.unlockCommand) return { address, lock, command: 'unlock' };
  throw new FrameError('FRAME_UNKNOWN_COMMAND', `CU48 command 0x${hex(command)} is not 0x50 or 0x51`);
}

export function encodeCu48StatusReply(reply: Cu48StatusReply): Buffer {
  const data = bytesFromBits(reply.lockBits, 6);
  const frame = Buffer.from([cu48.stx, reply.address, 0x00, cu48.statusReplyCommand, ...data, cu48.etx, 0]);
  frame[11] = sum8(frame, 0, 11);
  return frame;
}

export function decodeCu48StatusReply(frame: Uint8Array): Cu48StatusReply {
  expectKerongFrame(frame, cu48.statusReplyLength, 'CU48 status reply');
  if (frame[3] !== cu48.statusReplyCommand) {
    throw new FrameError('FRAME_UNKNOWN_COMMAND', `CU48 reply command 0x${hex(frame[3]!)} is not 0x65`);
  }
  return { address: frame[1]!, lockBits: bitsFromBytes(frame.subarray(4, 10), cu48.lockCount) };
}

export const cu48RequestSpec = kerongFrameSpec('kerong-cu48 request', cu48.requestLength);
export const cu48ReplySpec = kerongFrameSpec('kerong-cu48 reply', cu48.statusReplyLength);
