import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { hexByte as hex } from './hex.ts';
import { expectKerongFrame, kerongFrame, kerongFrameSpec } from './kerong-frame.ts';

/** Kerong CU16, the 5-byte variant. Byte reference: hardware-docs/protocols/kerong-cu16.md */
export const cu16 = {
  baudRate: 19200,
  stx: kerongFrame.stx,
  etx: kerongFrame.etx,
  statusCommand: 0x30,
  unlockCommand: 0x31,
  statusReplyCommand: 0x35,
  locksPerBoard: 16,
  maxBoard: 15,
  requestLength: 5,
  statusReplyLength: 9,
} as const;

export type Cu16Command = 'status' | 'unlock';

/** On the wire ADDR = board × 16 + (lock − 1); `board` 0–15, `lock` 1–16. */
export interface Cu16Request {
  board: number;
  lock: number;
  command: Cu16Command;
}

/** Raw bits, lock 1 first: hook (lock/door switch) and item (infrared) sensors. */
export interface Cu16StatusReply {
  board: number;
  lock: number;
  hookBits: boolean[];
  itemBits: boolean[];
}

const commandByte: Record<Cu16Command, number> = { status: cu16.statusCommand, unlock: cu16.unlockCommand };

export function cu16AddressByte(board: number, lock: number): number {
  if (!Number.isInteger(board) || board < 0 || board > cu16.maxBoard) {
    throw new FrameError('FRAME_BAD_FIELD', `CU16 board must be 0–15, got ${board}`);
  }
  if (!Number.isInteger(lock) || lock < 1 || lock > cu16.locksPerBoard) {
    throw new FrameError('FRAME_BAD_FIELD', `CU16 lock must be 1–16, got ${lock}`);
  }
  return board * cu16.locksPerBoard + (lock - 1);
}

export function encodeCu16Request(request: Cu16Request): Buffer {
  const address = cu16AddressByte(request.board, request.lock);
  const frame = Buffer.from([cu16.stx, address, commandByte[request.command], cu16.etx, 0]);
  frame[4] = sum8(frame, 0, 4);
  return frame;
}

export function decodeCu16Request(frame: Uint8Array): Cu16Request {
  expectKerongFrame(frame, cu16.requestLength, 'CU16 request');
  const address = frame[1]!;
  const command = frame[2]!;
  const board = address >> 4;
  const lock = (address & 0x0f) + 1;
  if (command === cu16.statusCommand) return { board, lock, command: 'status' };
  if (command === cu16.unlockCommand) return { board, lock, command: 'unlock' };
  throw new FrameError('FRAME_UNKNOWN_COMMAND', `CU16 command 0x${hex(command)} is not 0x30 or 0x31`);
}

export function encodeCu16StatusReply(reply: Cu16StatusReply): Buffer {
  const hooks = bytesFromBits(reply.hookBits, 2);
  const items = bytesFromBits(reply.itemBits, 2);
  const address = cu16AddressByte(reply.board, reply.lock);
  const frame = Buffer.from([cu16.stx, address, cu16.statusReplyCommand, ...hooks, ...items, cu16.etx, 0]);
  frame[8] = sum8(frame, 0, 8);
  return frame;
}

export function decodeCu16StatusReply(frame: Uint8Array): Cu16StatusReply {
  expectKerongFrame(frame, cu16.statusReplyLength, 'CU16 status reply');
  if (frame[2] !== cu16.statusReplyCommand) {
    throw new FrameError('FRAME_UNKNOWN_COMMAND', `CU16 reply command 0x${hex(frame[2]!)} is not 0x35`);
  }
  const address = frame[1]!;
  return {
    board: address >> 4,
    lock: (address & 0x0f) + 1,
    hookBits: bitsFromBytes(frame.subarray(3, 5), cu16.locksPerBoard),
    itemBits: bitsFromBytes(frame.subarray(5, 7), cu16.locksPerBoard),
  };
}

export const cu16RequestSpec = kerongFrameSpec('kerong-cu16 request', cu16.requestLength);
export const cu16ReplySpec = kerongFrameSpec('kerong-cu16 reply', cu16.statusReplyLength);
