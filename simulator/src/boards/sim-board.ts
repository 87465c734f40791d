import type { FrameSpec, KerongDialect, Xor8aDialect } from '@locker/protocol';
import type { SimDoor } from '../sim-door.ts';
import type { SimModbusSettings } from './modbus-settings.ts';

export type SimProtocolName = 'cu48' | 'cu16' | 'xor8a' | 'modbus-rtu';

export interface SimBoard {
  readonly protocol: SimProtocolName;
  readonly address: number;
  readonly doors: readonly SimDoor[];
  readonly kerongDialect: KerongDialect;
  readonly xor8aDialect: Xor8aDialect;
  readonly modbus: SimModbusSettings;
}

/** A board's answer to a request addressed to it; the board has already pulsed any lock it asked for. */
export interface BoardAction {
  reply: Buffer | null;
}

export interface SimBoardProtocol {
  readonly name: SimProtocolName;
  readonly firstAddress: number;
  readonly maxBoards: number;
  readonly defaultLocks: number;
  readonly maxLocks: number;
  readonly baudRate: number;
  readonly requestSpec: FrameSpec;
  /** Whether a request frame on the wire is an unlock command (counted whatever board it reaches). */
  isUnlockRequest(frame: Buffer): boolean;
  /** Acts on a request: `null` when it is not for this board; throws FrameError on a malformed frame. */
  handle(board: SimBoard, frame: Buffer): BoardAction | null;
}
