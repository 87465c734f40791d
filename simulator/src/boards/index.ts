import { cu16Board } from './cu16-board.ts';
import { cu48Board } from './cu48-board.ts';
import { modbusBoard } from './modbus-board.ts';
import type { SimBoardProtocol, SimProtocolName } from './sim-board.ts';
import { xor8aBoard } from './xor8a-board.ts';

export const simBoardProtocols: Record<SimProtocolName, SimBoardProtocol> = {
  cu48: cu48Board,
  cu16: cu16Board,
  xor8a: xor8aBoard,
  'modbus-rtu': modbusBoard,
};

export type { BoardAction, SimBoard, SimBoardProtocol, SimProtocolName } from './sim-board.ts';
