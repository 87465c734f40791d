import {
  applyPolarity,
  cu48,
  cu48CommandSets,
  cu48RequestSpec,
  decodeCu48Request,
  encodeCu48StatusReply,
  encodeCu48UnlockAck,
} from '@locker/protocol';
import type { SimBoard, SimBoardProtocol } from './sim-board.ts';

const unlockCommands = new Set(Object.values(cu48CommandSets).map((set) => set.unlock));

/**
 * Kerong CU48: status of all 48 locks in one reply; unlock has no reply; address 0x0A reaches every board.
 * A board answers only its `kerongDialect.cu48Commands` set; a frame of the other set is rejected unanswered.
 * The 0x60 set replies `02 ADDR 00 75 06 D1–D6 SUM` to a status and `02 ADDR LOCK 75 00 SUM` to an unlock.
 */
export const cu48Board: SimBoardProtocol = {
  name: 'cu48',
  firstAddress: 0,
  maxBoards: cu48.maxAddress + 1,
  defaultLocks: cu48.lockCount,
  maxLocks: cu48.lockCount,
  baudRate: cu48.baudRate,
  requestSpec: cu48RequestSpec,
  isUnlockRequest: (frame) => unlockCommands.has(frame[3]!),
  handle(board: SimBoard, frame: Buffer) {
    const commandSet = board.kerongDialect.cu48Commands;
    const request = decodeCu48Request(frame, commandSet);
    const broadcast = request.address === cu48.broadcastAddress;
    if (!broadcast && request.address !== board.address) return null;
    if (request.command === 'unlock') {
      const doors = request.lock === 'all' ? board.doors : board.doors.slice(request.lock - 1, request.lock);
      for (const door of doors) door.unlock();
      // The 0x60 set acknowledges a single-lock unlock addressed to this board; v2.1 never replies.
      if (commandSet === '0x60' && !broadcast && request.lock !== 'all') {
        return { reply: encodeCu48UnlockAck(board.address, request.lock) };
      }
      return { reply: null };
    }
    if (broadcast) return { reply: null };
    const lockBits = board.doors.map((door) =>
      applyPolarity(door.sensedClosed(), board.kerongDialect.closedBitValue),
    );
    return { reply: encodeCu48StatusReply({ address: board.address, lockBits }, commandSet) };
  },
};
