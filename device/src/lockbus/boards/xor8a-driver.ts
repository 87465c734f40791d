import {
  decodeXor8aAllReply,
  encodeXor8aRequest,
  xor8a,
  xor8aClosedFromStatusBytes,
  xor8aReplySpec,
} from '@locker/protocol';
import type { BoardDriver } from './board-driver.ts';

/** The 8A/80 board: status by query-all (one exchange per board); unlock answers `8A BB LL SS X`. */
export const xor8aDriver: BoardDriver = {
  protocol: 'xor8a',
  baudRate: xor8a.baudRate,
  maxLocks: xor8a.maxStatusBytes * 8,
  replySpec: (boards) =>
    xor8aReplySpec([...new Set(boards.map((board) => board.xor8aDialect.queryAllStatusBytes))]),
  statusExchange(board) {
    const replyLength = board.xor8aDialect.queryAllStatusBytes + 4;
    return {
      request: encodeXor8aRequest({ command: 'query', board: board.address, lock: 'all' }),
      matches: (frame) =>
        frame[0] === xor8a.queryHeader && frame[1] === board.address && frame.length === replyLength,
      decode(frame) {
        const reply = decodeXor8aAllReply(frame);
        const closed = xor8aClosedFromStatusBytes(reply.statusBytes, board.xor8aDialect).slice(
          0,
          board.locks,
        );
        return { closed, itemPresent: undefined };
      },
    };
  },
  unlockExchange(board, lock) {
    return {
      request: encodeXor8aRequest({ command: 'unlock', board: board.address, lock }),
      matches: (frame) => frame[0] === xor8a.unlockHeader && frame[1] === board.address && frame[2] === lock,
    };
  },
};
