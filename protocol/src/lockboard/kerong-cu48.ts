import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { type FrameSpec, matchByCandidateLengths } from './frame-spec.ts';
import { hexByte as hex, toHex } from './hex.ts';

/** Kerong CU48 (vendor protocol v2.1). Byte reference: hardware-docs/protocols/kerong-cu48.md */
export const cu48 = {
  baudRate: 19200,
  stx: 0x02,
  etx: 0x03,
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

/** Shared by CU48 and CU16: STX first, ETX second to last, SUM last. */
export function expectKerongFrame(frame: Uint8Array, length: number, what: string): void {
  if (frame.length !== length) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `${what} is ${length} bytes, got ${frame.length}: ${toHex(frame)}`,
    );
  }
  const verdict = validateKerong(frame);
  if (verdict === 'structure') {
    throw new FrameError('FRAME_BAD_MARKER', `${what} needs 02 … 03 SUM: ${toHex(frame)}`);
  }
  if (verdict === 'checksum') {
    const expected = sum8(frame, 0, length - 1);
    throw new FrameError(
      'FRAME_BAD_CHECKSUM',
      `${what} sum is 0x${hex(expected)}, frame says 0x${hex(frame[length - 1]!)}`,
    );
  }
}

export function validateKerong(frame: Uint8Array): 'ok' | 'checksum' | 'structure' {
  const n = frame.length;
  if (frame[0] !== cu48.stx || frame[n - 2] !== cu48.etx) return 'structure';
  return sum8(frame, 0, n - 1) === frame[n - 1] ? 'ok' : 'checksum';
}

export function kerongFrameSpec(name: string, length: number): FrameSpec {
  return {
    name,
    startBytes: new Set([cu48.stx]),
    maxFrameLength: length,
    match: (bytes, atSilence) => matchByCandidateLengths(bytes, [length], validateKerong, atSilence),
  };
}

export const cu48RequestSpec = kerongFrameSpec('kerong-cu48 request', cu48.requestLength);
export const cu48ReplySpec = kerongFrameSpec('kerong-cu48 reply', cu48.statusReplyLength);
