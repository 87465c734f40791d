import {
  applyPolarity,
  cu16,
  cu16ReplySpec,
  decodeCu16StatusReply,
  encodeCu16Request,
} from '@locker/protocol';
import type { BoardDriver } from './board-driver.ts';

/** Kerong CU16: 0x30 status returns hook and item bytes; 0x31 unlock answers with the same status frame. */
export const cu16Driver: BoardDriver = {
  protocol: 'cu16',
  baudRate: cu16.baudRate,
  maxLocks: cu16.locksPerBoard,
  replySpec: () => cu16ReplySpec,
  statusExchange(board) {
    return {
      request: encodeCu16Request({ board: board.address, lock: 1, command: 'status' }),
      matches: (frame) => isReplyFrom(frame, board.address),
      decode(frame) {
        const reply = decodeCu16StatusReply(frame);
        const { closedBitValue, itemPresentBitValue } = board.kerongDialect;
        return {
          closed: reply.hookBits.slice(0, board.locks).map((bit) => applyPolarity(bit, closedBitValue)),
          itemPresent: reply.itemBits
            .slice(0, board.locks)
            .map((bit) => applyPolarity(bit, itemPresentBitValue)),
        };
      },
    };
  },
  unlockExchange(board, lock) {
    return {
      request: encodeCu16Request({ board: board.address, lock, command: 'unlock' }),
      matches: (frame) => isReplyFrom(frame, board.address),
    };
  },
};

function isReplyFrom(frame: Buffer, board: number): boolean {
  return frame[2] === cu16.statusReplyCommand && frame[1]! >> 4 === board;
}
