import {
  applyPolarity,
  cu48,
  cu48CommandSets,
  cu48ReplySpecFor,
  cu48Variant60,
  decodeCu48StatusReply,
  encodeCu48Request,
} from '@locker/protocol';
import type { BoardDriver } from './board-driver.ts';

/**
 * Kerong CU48: one status read (lock byte per dialect, `00` by default) covers 48 locks. Per
 * `kerongDialect.cu48Commands`: 0x50/0x51 → 0x65 (v2.1, default; the unlock gets no reply) or
 * 0x60/0x61 → 0x75 (the unlock is acknowledged with `02 ADDR LOCK 75 00 SUM`).
 */
export const cu48Driver: BoardDriver = {
  protocol: 'cu48',
  baudRate: cu48.baudRate,
  maxLocks: cu48.lockCount,
  replySpec: (boards) =>
    cu48ReplySpecFor([...new Set(boards.map((board) => board.kerongDialect.cu48Commands))]),
  statusExchange(board) {
    const { cu48Commands, cu48StatusLockByte } = board.kerongDialect;
    return {
      request: encodeCu48Request(
        { address: board.address, lock: cu48StatusLockByte === cu48.allLocks ? 'all' : 1, command: 'status' },
        cu48Commands,
      ),
      matches: (frame) =>
        frame[1] === board.address &&
        frame[3] === cu48CommandSets[cu48Commands].statusReply &&
        frame.length !== cu48Variant60.unlockAckLength,
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
    if (board.kerongDialect.cu48Commands === 'v2.1') return { request, matches: null };
    return {
      request,
      matches: (frame) =>
        frame.length === cu48Variant60.unlockAckLength && frame[1] === board.address && frame[2] === lock - 1,
    };
  },
};
