import {
  applyPolarity,
  decodeModbusRequest,
  encodeModbusReply,
  modbusExceptionCodes,
  modbusRequestSpec,
  modbusRtu,
} from '@locker/protocol';
import type { SimBoard, SimBoardProtocol } from './sim-board.ts';

/**
 * A Modbus RTU relay + input board (Waveshare "Modbus RTU Relay" with inputs): the flash-on write
 * (function 05 to 0x0200 + relay) pulses the relay, which releases the latch, and is echoed; a
 * function-02 read returns the door sensors. Frames with a bad CRC never reach it (the bus framing
 * drops them, as a real slave does). Anything else gets an exception reply (Application Protocol §7):
 * 01 for a function it does not serve, 02 for a relay or input it does not have, 03 for a bad value.
 * Broadcast (address 0) pulses are acted on without a reply (Serial Line §2.2).
 */
export const modbusBoard: SimBoardProtocol = {
  name: 'modbus-rtu',
  firstAddress: modbusRtu.minAddress,
  maxBoards: modbusRtu.maxAddress,
  defaultLocks: 16,
  maxLocks: modbusRtu.maxCoil + 1,
  baudRate: modbusRtu.baudRate,
  requestSpec: modbusRequestSpec,
  isUnlockRequest: (frame) =>
    frame[1] === modbusRtu.writeSingleCoil && frame[2] === modbusRtu.flashOnBase >> 8,
  handle(board: SimBoard, frame: Buffer) {
    const request = decodeModbusRequest(frame);
    const broadcast = request.slave === 0;
    if (!broadcast && request.slave !== board.address) return null;
    const slave = board.address;
    const exception = (fn: number, exceptionCode: number) => ({
      reply: broadcast ? null : encodeModbusReply({ kind: 'exception', slave, function: fn, exceptionCode }),
    });
    if (request.function === 'other') {
      const code =
        request.code === modbusRtu.writeSingleCoil
          ? modbusExceptionCodes.illegalDataAddress
          : modbusExceptionCodes.illegalFunction;
      return exception(request.code, code);
    }
    if (request.function === 'pulse-coil') {
      const door = board.doors[request.coil];
      if (!door) return exception(modbusRtu.writeSingleCoil, modbusExceptionCodes.illegalDataAddress);
      if (request.pulseMs === 0)
        return exception(modbusRtu.writeSingleCoil, modbusExceptionCodes.illegalDataValue);
      door.unlock();
      return { reply: broadcast ? null : Buffer.from(frame) };
    }
    if (broadcast) return { reply: null };
    const { start, count } = request;
    if (count < 1 || count > modbusRtu.maxInputs) {
      return exception(modbusRtu.readDiscreteInputs, modbusExceptionCodes.illegalDataValue);
    }
    if (start + count > board.doors.length) {
      return exception(modbusRtu.readDiscreteInputs, modbusExceptionCodes.illegalDataAddress);
    }
    const { closedInputValue } = board.modbus;
    const bits = board.doors
      .slice(start, start + count)
      .map((door) => applyPolarity(door.sensedClosed(), closedInputValue));
    return { reply: encodeModbusReply({ kind: 'inputs', slave, bits }) };
  },
};
