import type { FrameSpec, KerongDialect, Xor8aDialect } from '@locker/protocol';
import type { ModbusBoardSettings } from './modbus-board-settings.ts';

export type LockBoardProtocol = 'cu48' | 'cu16' | 'xor8a' | 'modbus-rtu';

export interface BoardSettings {
  address: number;
  locks: number;
  polarityConfirmed: boolean;
  kerongDialect: KerongDialect;
  xor8aDialect: Xor8aDialect;
  modbus: ModbusBoardSettings;
}

/** One status read: door closed per lock (index 0 = lock 1; `undefined` where the byte is not understood). */
export interface BoardReading {
  closed: (boolean | undefined)[];
  itemPresent: boolean[] | undefined;
}

export interface StatusExchange {
  request: Buffer;
  matches(frame: Buffer): boolean;
  /** Throws FrameError when the reply does not fit. */
  decode(frame: Buffer): BoardReading;
}

export interface UnlockExchange {
  request: Buffer;
  /** `null`: this protocol has no reply to an unlock. */
  matches: ((frame: Buffer) => boolean) | null;
}

/** A protocol's side of the adapter: the frames to send and how to read the replies. No I/O. */
export interface BoardDriver {
  readonly protocol: LockBoardProtocol;
  readonly baudRate: number;
  readonly maxLocks: number;
  replySpec(boards: readonly BoardSettings[]): FrameSpec;
  statusExchange(board: BoardSettings): StatusExchange;
  unlockExchange(board: BoardSettings, lock: number): UnlockExchange;
}
