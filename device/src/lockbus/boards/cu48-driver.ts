import {
  applyPolarity,
  cu48,
  cu48ReplySpec,
  decodeCu48StatusReply,
  encodeCu48Request,
} from '@locker/protocol';
import type { BoardDriver } from './board-driver.ts';

/** Kerong CU48: one 0x50 status read (lock byte per dialect, `00` by default) covers 48 locks; 0x51 unlock gets no reply. */
export const cu48Driver: BoardDriver = {
  protocol: 'cu48',
  baudRate: cu48.baudRate,
  maxLocks: cu48.lockCount,
  replySpec: () => cu48ReplySpec,
  statusExchange(board) {
    return {
      request: encodeCu48Request({
        address: board.address,
        lock: board.kerongDialect.cu48StatusLockByte === cu48.allLocks ? 'all' : 1,
        command: 'status',
      }),
      matches: (frame) => frame[1] === board.address && frame[3] === cu48.statusReplyCommand,
      decode(frame) {
        const { lockBits } = decodeCu48StatusReply(frame);
        const closed = lockBits
          .slice(0, board.locks)
          .map((bit) => applyPolarity(bit, board.kerongDialect.closedBitValue));
        return { closed, itemPresent: undefined };
      },
    };
  },
  unlockExchange(board, lock) {
    return { request: encodeCu48Request({ address: board.address, lock, command: 'unlock' }), matches: null };
  },
};
