import type { BoardDriver, LockBoardProtocol } from './board-driver.ts';
import { cu16Driver } from './cu16-driver.ts';
import { cu48Driver } from './cu48-driver.ts';
import { modbusDriver } from './modbus-driver.ts';
import { xor8aDriver } from './xor8a-driver.ts';

export const boardDrivers: Record<LockBoardProtocol, BoardDriver> = {
  cu48: cu48Driver,
  cu16: cu16Driver,
  xor8a: xor8aDriver,
  'modbus-rtu': modbusDriver,
};

export type { BoardDriver, BoardReading, BoardSettings, LockBoardProtocol } from './board-driver.ts';
