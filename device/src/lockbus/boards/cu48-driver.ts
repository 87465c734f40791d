import {
  applyPolarity,
  cu48,
  cu48CommandSets,
  cu48ReplySpec,
  decodeCu48StatusReply,
  encodeCu48Request,
} from '@locker/protocol';
import type { BoardDriver } from './board-driver.ts';

/**
 * Kerong CU48: one status read (lock byte per dialect, `00` by default) covers 48 locks; the unlock gets no reply.
 * Command bytes per `kerongDialect.cu48Commands`: 0x50/0x51 → 0x65 (v2.1, default) or 0x60/0x61 → 0x75.
 */
export const cu48Driver: BoardDriver = {
  protocol: 'cu48',
  baudRate: cu48.baudRate,
  maxLocks: cu48.lockCount,
  replySpec: () => cu48ReplySpec,
  statusExchange(board) {
    const { cu48Commands, cu48StatusLockByte } = board.kerongDialect;
    return {
      request: encodeCu48Request(
        { address: board.address, lock: cu48StatusLockByte === cu48.allLocks ? 'all' : 1, command: 'status' },
        cu48Commands,
      ),
      matches: (frame) =>
        frame[1] === board.address && frame[3] === cu48CommandSets[cu48Commands].statusReply,
      decode(frame) {
        const { lockBits } = decodeCu48StatusReply(frame, cu48Commands);
        const closed = lockBits
          .slice(0, board.locks)
          .map((bit) => applyPolarity(bit, board.kerongDialect.closedBitValue));
        return { closed, itemPresent: undefined };
      },
    };
  },
  unlockExchange(board, lock) {
    const request = encodeCu48Request(
      { address: board.address, lock, command: 'unlock' },
      board.kerongDialect.cu48Commands,
    );
    return { request, matches: null };
  },
};
