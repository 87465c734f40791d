import {
  applyPolarity,
  decodeModbusReply,
  encodeModbusRequest,
  FrameError,
  type ModbusRequest,
  modbusReplySpec,
  modbusRtu,
} from '@locker/protocol';
import type { BoardDriver, BoardSettings } from './board-driver.ts';

/** One read of discrete inputs covers every door sensor of the board: from its lowest input to its highest. */
function statusRequest(board: BoardSettings): ModbusRequest & { function: 'read-inputs' } {
  const start = Math.min(...board.modbus.inputs);
  const count = Math.max(...board.modbus.inputs) - start + 1;
  return { function: 'read-inputs', slave: board.address, start, count };
}

/**
 * Modbus RTU relay + input boards: an unlock is the board's own timed pulse (function 05 to the
 * vendor's flash-on address, answered by an echo); door sensors by one function-02 read.
 * Reference: hardware-docs/protocols/modbus-rtu.md.
 */
export const modbusDriver: BoardDriver = {
  protocol: 'modbus-rtu',
  baudRate: modbusRtu.baudRate,
  maxLocks: modbusRtu.maxCoil + 1,
  replySpec: (boards) =>
    modbusReplySpec(
      boards.map((board) => board.address),
      boards.map((board) => Math.ceil(statusRequest(board).count / 8)),
    ),
  statusExchange(board) {
    const request = statusRequest(board);
    return {
      request: encodeModbusRequest(request),
      matches: (frame) =>
        frame[0] === board.address &&
        (frame[1] === modbusRtu.readDiscreteInputs ||
          frame[1] === (modbusRtu.readDiscreteInputs | modbusRtu.exceptionFlag)),
      decode(frame) {
        const reply = decodeModbusReply(frame, request);
        if (reply.kind !== 'inputs') {
          const code = reply.kind === 'exception' ? reply.exceptionCode : 'none';
          throw new FrameError(
            'FRAME_BAD_FIELD',
            `board ${board.address} refused the input read: exception ${code}`,
          );
        }
        const { inputs, closedInputValue } = board.modbus;
        const closed = inputs.map((input) =>
          applyPolarity(reply.bits[input - request.start]!, closedInputValue),
        );
        return { closed, itemPresent: undefined };
      },
    };
  },
  unlockExchange(board, lock) {
    const request = encodeModbusRequest({
      function: 'pulse-coil',
      slave: board.address,
      coil: board.modbus.coils[lock - 1]!,
      pulseMs: board.modbus.pulseMs,
    });
    // the board acknowledges with an echo of the request; an exception reply is no acknowledgement
    return { request, matches: (frame) => frame.equals(request) };
  },
};
