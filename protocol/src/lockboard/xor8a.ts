import { xor8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { type FrameSpec, matchByCandidateLengths } from './frame-spec.ts';
import { hexByte as hex, toHex } from './hex.ts';

/** The generic "8A/80" parcel-locker board. Byte reference: hardware-docs/protocols/xor8a.md */
export const xor8a = {
  baudRate: 9600,
  unlockHeader: 0x8a,
  queryHeader: 0x80,
  unlockFunction: 0x11,
  queryFunction: 0x33,
  minAddress: 1,
  maxAddress: 31,
  maxLock: 0xff,
  frameLength: 5,
  /** Longest query-all reply accepted: 32 status bytes = 256 locks. */
  maxStatusBytes: 32,
} as const;

/**
 * Where public sources for this board disagree, the meaning is configuration per board.
 * Defaults follow the sources named in hardware-docs/protocols/xor8a.md.
 */
export interface Xor8aDialect {
  /** Status byte of a single-lock reply when the door is closed/locked. */
  closedStatusByte: number;
  /** Status byte of a single-lock reply when the door is open. */
  openStatusByte: number;
  /** Bit value in a query-all reply that means "closed". */
  closedBitValue: 0 | 1;
  /** Query-all status bytes: `high-first` puts locks 17–24 before 9–16 before 1–8. */
  statusByteOrder: 'high-first' | 'low-first';
  /** How many status bytes this firmware sends in a query-all reply (3 for a 24-lock board). */
  queryAllStatusBytes: number;
}

export const xor8aDefaultDialect: Readonly<Xor8aDialect> = {
  closedStatusByte: 0x11,
  openStatusByte: 0x00,
  closedBitValue: 1,
  statusByteOrder: 'high-first',
  queryAllStatusBytes: 3,
};

export type Xor8aRequest =
  | { command: 'unlock'; board: number; lock: number | 'all' }
  | { command: 'query'; board: number; lock: number | 'all' };

export interface Xor8aLockReply {
  command: 'unlock' | 'query';
  board: number;
  lock: number;
  statusByte: number;
}

export interface Xor8aAllReply {
  board: number;
  statusBytes: Uint8Array;
}

export function encodeXor8aRequest(request: Xor8aRequest): Buffer {
  checkAddress(request.board);
  const { lock } = request;
  if (lock !== 'all' && (!Number.isInteger(lock) || lock < 1 || lock > xor8a.maxLock)) {
    throw new FrameError('FRAME_BAD_FIELD', `8A/80 lock must be 1–255 or 'all', got ${lock}`);
  }
  const header = request.command === 'unlock' ? xor8a.unlockHeader : xor8a.queryHeader;
  const fn = request.command === 'unlock' ? xor8a.unlockFunction : xor8a.queryFunction;
  return withXor([header, request.board, lock === 'all' ? 0 : lock, fn]);
}

export function decodeXor8aRequest(frame: Uint8Array): Xor8aRequest {
  expectXorFrame(frame, xor8a.frameLength, '8A/80 request');
  const [header, board, lockByte, fn] = frame as unknown as [number, number, number, number];
  const lock = lockByte === 0 ? 'all' : lockByte;
  if (header === xor8a.unlockHeader && fn === xor8a.unlockFunction) return { command: 'unlock', board, lock };
  if (header === xor8a.queryHeader && fn === xor8a.queryFunction) return { command: 'query', board, lock };
  throw new FrameError('FRAME_UNKNOWN_COMMAND', `8A/80 header 0x${hex(header)} with function 0x${hex(fn)}`);
}

export function encodeXor8aLockReply(reply: Xor8aLockReply): Buffer {
  const header = reply.command === 'unlock' ? xor8a.unlockHeader : xor8a.queryHeader;
  return withXor([header, reply.board, reply.lock, reply.statusByte]);
}

/** A 5-byte reply to an unlock (`8A …`) or a single-lock query (`80 …`). */
export function decodeXor8aLockReply(frame: Uint8Array, command: 'unlock' | 'query'): Xor8aLockReply {
  expectXorFrame(frame, xor8a.frameLength, `8A/80 ${command} reply`);
  const expectedHeader = command === 'unlock' ? xor8a.unlockHeader : xor8a.queryHeader;
  if (frame[0] !== expectedHeader) {
    throw new FrameError(
      'FRAME_BAD_MARKER',
      `8A/80 ${command} reply starts 0x${hex(expectedHeader)}: ${toHex(frame)}`,
    );
  }
  return { command, board: frame[1]!, lock: frame[2]!, statusByte: frame[3]! };
}

export function encodeXor8aAllReply(reply: Xor8aAllReply): Buffer {
  return withXor([xor8a.queryHeader, reply.board, ...reply.statusBytes, xor8a.queryFunction]);
}

export function decodeXor8aAllReply(frame: Uint8Array): Xor8aAllReply {
  if (frame.length < 5 || frame.length > 4 + xor8a.maxStatusBytes) {
    throw new FrameError('FRAME_BAD_LENGTH', `8A/80 query-all reply is 5–36 bytes, got ${frame.length}`);
  }
  expectXorFrame(frame, frame.length, '8A/80 query-all reply');
  if (frame[0] !== xor8a.queryHeader || frame[frame.length - 2] !== xor8a.queryFunction) {
    throw new FrameError('FRAME_BAD_MARKER', `8A/80 query-all reply needs 80 … 33 X: ${toHex(frame)}`);
  }
  return { board: frame[1]!, statusBytes: Uint8Array.from(frame.subarray(2, frame.length - 2)) };
}

/** Door closed per lock (index 0 = lock 1) from a query-all reply, per dialect. */
export function xor8aClosedFromStatusBytes(statusBytes: Uint8Array, dialect: Xor8aDialect): boolean[] {
  const lowFirst = dialect.statusByteOrder === 'low-first' ? [...statusBytes] : [...statusBytes].reverse();
  const closed: boolean[] = [];
  for (const byte of lowFirst) {
    for (let bit = 0; bit < 8; bit++) closed.push(((byte >> bit) & 1) === dialect.closedBitValue);
  }
  return closed;
}

/** Inverse of {@link xor8aClosedFromStatusBytes}, for the board's side. */
export function xor8aStatusBytesFromClosed(closed: readonly boolean[], dialect: Xor8aDialect): Uint8Array {
  const lowFirst = new Uint8Array(dialect.queryAllStatusBytes);
  for (let i = 0; i < lowFirst.length * 8; i++) {
    const isClosed = closed[i] ?? true;
    const bitValue = isClosed ? dialect.closedBitValue : 1 - dialect.closedBitValue;
    if (bitValue === 1) lowFirst[i >> 3]! |= 1 << (i & 7);
  }
  return dialect.statusByteOrder === 'low-first' ? lowFirst : lowFirst.reverse();
}

/** `true` closed, `false` open, `undefined` for a status byte this dialect does not define. */
export function xor8aClosedFromStatusByte(statusByte: number, dialect: Xor8aDialect): boolean | undefined {
  if (statusByte === dialect.closedStatusByte) return true;
  if (statusByte === dialect.openStatusByte) return false;
  return undefined;
}

export function validateXor(frame: Uint8Array): 'ok' | 'checksum' | 'structure' {
  const n = frame.length;
  if (frame[0] !== xor8a.unlockHeader && frame[0] !== xor8a.queryHeader) return 'structure';
  return xor8(frame, 0, n - 1) === frame[n - 1] ? 'ok' : 'checksum';
}

/** Requests are always 5 bytes. */
export const xor8aRequestSpec: FrameSpec = {
  name: '8A/80 request',
  startBytes: new Set([xor8a.unlockHeader, xor8a.queryHeader]),
  maxFrameLength: xor8a.frameLength,
  match: (bytes, atSilence) => matchByCandidateLengths(bytes, [xor8a.frameLength], validateXor, atSilence),
};

/**
 * Replies: `8A` replies are 5 bytes; `80` replies are 5 bytes (single lock) or 4 + N (query all,
 * N status bytes per firmware, ending in 33). The longest length that validates wins; a shorter one
 * is taken only at silence.
 */
export function xor8aReplySpec(queryAllStatusBytes: readonly number[] = [3]): FrameSpec {
  const allLengths = queryAllStatusBytes.map((n) => n + 4);
  const validateAll = (frame: Uint8Array) =>
    frame.length > xor8a.frameLength && frame[frame.length - 2] !== xor8a.queryFunction
      ? 'structure'
      : validateXor(frame);
  return {
    name: '8A/80 reply',
    startBytes: new Set([xor8a.unlockHeader, xor8a.queryHeader]),
    maxFrameLength: Math.max(xor8a.frameLength, ...allLengths),
    match: (bytes, atSilence) =>
      bytes[0] === xor8a.unlockHeader
        ? matchByCandidateLengths(bytes, [xor8a.frameLength], validateXor, atSilence)
        : matchByCandidateLengths(bytes, [xor8a.frameLength, ...allLengths], validateAll, atSilence),
  };
}

function withXor(bytes: number[]): Buffer {
  const frame = Buffer.from([...bytes, 0]);
  frame[frame.length - 1] = xor8(frame, 0, frame.length - 1);
  return frame;
}

function checkAddress(board: number): void {
  if (!Number.isInteger(board) || board < xor8a.minAddress || board > xor8a.maxAddress) {
    throw new FrameError('FRAME_BAD_FIELD', `8A/80 board address must be 1–31 (DIP), got ${board}`);
  }
}

function expectXorFrame(frame: Uint8Array, length: number, what: string): void {
  if (frame.length !== length) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `${what} is ${length} bytes, got ${frame.length}: ${toHex(frame)}`,
    );
  }
  const verdict = validateXor(frame);
  if (verdict === 'structure')
    throw new FrameError('FRAME_BAD_MARKER', `${what} starts 8A or 80: ${toHex(frame)}`);
  if (verdict === 'checksum') {
    const expected = xor8(frame, 0, length - 1);
    throw new FrameError(
      'FRAME_BAD_CHECKSUM',
      `${what} XOR is 0x${hex(expected)}, frame says 0x${hex(frame[length - 1]!)}`,
    );
  }
}
