import {
  applyPolarity,
  cu16,
  cu16RequestSpec,
  decodeCu16Request,
  encodeCu16StatusReply,
} from '@locker/protocol';
import type { SimBoard, SimBoardProtocol } from './sim-board.ts';

/** Kerong CU16: address byte = board × 16 + lock − 1; both status and unlock answer with the 0x35 status frame. */
export const cu16Board: SimBoardProtocol = {
  name: 'cu16',
  firstAddress: 0,
  maxBoards: cu16.maxBoard + 1,
  defaultLocks: cu16.locksPerBoard,
  maxLocks: cu16.locksPerBoard,
  baudRate: cu16.baudRate,
  requestSpec: cu16RequestSpec,
  isUnlockRequest: (frame) => frame[2] === cu16.unlockCommand,
  handle(board: SimBoard, frame: Buffer) {
    const request = decodeCu16Request(frame);
    if (request.board !== board.address) return null;
    if (request.command === 'unlock') board.doors[request.lock - 1]?.unlock();
    const { closedBitValue, itemPresentBitValue } = board.kerongDialect;
    const reply = encodeCu16StatusReply({
      board: board.address,
      lock: request.lock,
      hookBits: board.doors.map((door) => applyPolarity(door.sensedClosed(), closedBitValue)),
      itemBits: board.doors.map((door) => applyPolarity(door.sensedItem(), itemPresentBitValue)),
    });
    return { reply };
  },
};
