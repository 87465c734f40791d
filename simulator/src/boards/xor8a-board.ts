import {
  decodeXor8aRequest,
  encodeXor8aAllReply,
  encodeXor8aLockReply,
  xor8a,
  xor8aRequestSpec,
  xor8aStatusBytesFromClosed,
} from '@locker/protocol';
import type { SimDoor } from '../sim-door.ts';
import type { SimBoard, SimBoardProtocol } from './sim-board.ts';

/** The "8A/80" board: every command answers; unlock replies with the lock's status after the pulse. */
export const xor8aBoard: SimBoardProtocol = {
  name: 'xor8a',
  firstAddress: xor8a.minAddress,
  maxBoards: xor8a.maxAddress,
  defaultLocks: 24,
  maxLocks: xor8a.maxStatusBytes * 8,
  baudRate: xor8a.baudRate,
  requestSpec: xor8aRequestSpec,
  isUnlockRequest: (frame) => frame[0] === xor8a.unlockHeader,
  handle(board: SimBoard, frame: Buffer) {
    const request = decodeXor8aRequest(frame);
    if (request.board !== board.address) return null;
    const dialect = board.xor8aDialect;
    if (request.lock === 'all') {
      if (request.command === 'unlock') {
        const reply = encodeXor8aLockReply({
          command: 'unlock',
          board: board.address,
          lock: 0,
          statusByte: xor8a.unlockFunction,
        });
        for (const each of board.doors) each.unlock();
        return { reply };
      }
      const closed = board.doors.map((door) => door.sensedClosed());
      return {
        reply: encodeXor8aAllReply({
          board: board.address,
          statusBytes: xor8aStatusBytesFromClosed(closed, dialect),
        }),
      };
    }
    const door: SimDoor | undefined = board.doors[request.lock - 1];
    if (!door) return null;
    if (request.command === 'unlock') door.unlock();
    const statusByte = door.sensedClosed() ? dialect.closedStatusByte : dialect.openStatusByte;
    return {
      reply: encodeXor8aLockReply({
        command: request.command,
        board: board.address,
        lock: request.lock,
        statusByte,
      }),
    };
  },
};
