import crc16modbus from 'crc/crc16modbus';
import { bitsFromBytes, bytesFromBits } from './bits.ts';
import { FrameError } from './frame-error.ts';
import { type FrameSpec, matchByCandidateLengths } from './frame-spec.ts';
import { hexByte as hex, toHex } from './hex.ts';

/**
 * Modbus RTU relay + digital-input boards (Waveshare "Modbus RTU Relay" and alike). Byte reference
 * with sources: hardware-docs/protocols/modbus-rtu.md. CRC-16/Modbus from the `crc` package; the
 * PDUs are written here because the Node Modbus libraries reduce a function-05 value to on/off and
 * so cannot carry the vendor's timed pulse (see the reference).
 */
export const modbusRtu = {
  baudRate: 9600,
  minAddress: 1,
  maxAddress: 247,
  readDiscreteInputs: 0x02,
  writeSingleCoil: 0x05,
  /** An exception reply sets the top bit of the request's function code (Application Protocol §7). */
  exceptionFlag: 0x80,
  /** Waveshare "flash on": function 05 to 0x0200 + coil, value = pulse in 100 ms units. */
  flashOnBase: 0x0200,
  flashUnitMs: 100,
  maxFlashUnits: 0x7fff,
  maxCoil: 0xff,
  /** Read Discrete Inputs: quantity 1–2000 (Application Protocol §6.2). */
  maxInputs: 2000,
  /** Address, function, two 16-bit fields, CRC: every request we send, and the 05 echo. */
  fixedFrameLength: 8,
  exceptionFrameLength: 5,
} as const;

export const modbusExceptionCodes = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
} as const;

export type ModbusRequest =
  | { function: 'pulse-coil'; slave: number; coil: number; pulseMs: number }
  | { function: 'read-inputs'; slave: number; start: number; count: number }
  /** A well-formed frame this codec does not act on: another function, or a plain coil write. */
  | { function: 'other'; slave: number; code: number; address: number; value: number };

export type ModbusReply =
  | { kind: 'pulse-echo'; slave: number; coil: number; pulseMs: number }
  | { kind: 'inputs'; slave: number; bits: boolean[] }
  | { kind: 'exception'; slave: number; function: number; exceptionCode: number };

/** CRC-16/Modbus of `bytes` (a frame carries it low byte first). */
export function modbusCrc(bytes: Uint8Array): number {
  return crc16modbus(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export function encodeModbusRequest(request: ModbusRequest): Buffer {
  checkSlave(request.slave);
  if (request.function === 'pulse-coil') {
    const { coil, pulseMs } = request;
    if (!Number.isInteger(coil) || coil < 0 || coil > modbusRtu.maxCoil) {
      throw new FrameError('FRAME_BAD_FIELD', `Modbus pulse coil must be 0–255, got ${coil}`);
    }
    const units = Math.ceil(pulseMs / modbusRtu.flashUnitMs);
    if (!Number.isFinite(units) || units < 1 || units > modbusRtu.maxFlashUnits) {
      throw new FrameError('FRAME_BAD_FIELD', `Modbus pulse must be 1–${modbusRtu.maxFlashUnits} × 100 ms`);
    }
    return withCrc(fields(request.slave, modbusRtu.writeSingleCoil, modbusRtu.flashOnBase + coil, units));
  }
  if (request.function === 'read-inputs') {
    const { start, count } = request;
    if (!Number.isInteger(count) || count < 1 || count > modbusRtu.maxInputs || start < 0 || start > 0xffff) {
      throw new FrameError('FRAME_BAD_FIELD', `Modbus read of ${count} inputs from ${start} is out of range`);
    }
    return withCrc(fields(request.slave, modbusRtu.readDiscreteInputs, start, count));
  }
  return withCrc(fields(request.slave, request.code, request.address, request.value));
}

/** An 8-byte request (functions 01–06). Throws FrameError on a bad length, CRC or function. */
export function decodeModbusRequest(frame: Uint8Array): ModbusRequest {
  expectCrc(frame, modbusRtu.fixedFrameLength, 'Modbus request');
  const view = Buffer.from(frame);
  const slave = view[0]!;
  const code = view[1]!;
  const address = view.readUInt16BE(2);
  const value = view.readUInt16BE(4);
  if (
    code === modbusRtu.writeSingleCoil &&
    address >= modbusRtu.flashOnBase &&
    address <= modbusRtu.flashOnBase + modbusRtu.maxCoil
  ) {
    return {
      function: 'pulse-coil',
      slave,
      coil: address - modbusRtu.flashOnBase,
      pulseMs: value * modbusRtu.flashUnitMs,
    };
  }
  if (code === modbusRtu.readDiscreteInputs)
    return { function: 'read-inputs', slave, start: address, count: value };
  if (code < 0x01 || code > 0x06)
    throw new FrameError('FRAME_UNKNOWN_COMMAND', `Modbus function 0x${hex(code)}`);
  return { function: 'other', slave, code, address, value };
}

export function encodeModbusReply(reply: ModbusReply): Buffer {
  checkSlave(reply.slave);
  if (reply.kind === 'pulse-echo') {
    return encodeModbusRequest({
      function: 'pulse-coil',
      slave: reply.slave,
      coil: reply.coil,
      pulseMs: reply.pulseMs,
    });
  }
  if (reply.kind === 'exception') {
    return withCrc([reply.slave, reply.function | modbusRtu.exceptionFlag, reply.exceptionCode]);
  }
  const byteCount = Math.ceil(reply.bits.length / 8);
  return withCrc([
    reply.slave,
    modbusRtu.readDiscreteInputs,
    byteCount,
    ...bytesFromBits(reply.bits, byteCount),
  ]);
}

/**
 * A reply to `request`: the echo of a pulse, the input bits of a read (`count` of them, LSB of the
 * first data byte = the first input, §6.2), or an exception. Throws FrameError when it fits neither.
 */
export function decodeModbusReply(frame: Uint8Array, request: ModbusRequest): ModbusReply {
  const code = request.function === 'pulse-coil' ? modbusRtu.writeSingleCoil : modbusRtu.readDiscreteInputs;
  const view = Buffer.from(frame);
  if (view[1] === (code | modbusRtu.exceptionFlag)) {
    expectCrc(view, modbusRtu.exceptionFrameLength, 'Modbus exception reply');
    return { kind: 'exception', slave: view[0]!, function: code, exceptionCode: view[2]! };
  }
  if (view[0] !== request.slave || view[1] !== code) {
    throw new FrameError(
      'FRAME_BAD_MARKER',
      `Modbus reply is not from slave ${request.slave} function ${code}: ${toHex(view)}`,
    );
  }
  if (request.function === 'pulse-coil') {
    const expected = encodeModbusRequest(request);
    if (!expected.equals(view))
      throw new FrameError('FRAME_BAD_FIELD', `Modbus pulse reply is not the request's echo: ${toHex(view)}`);
    return { kind: 'pulse-echo', slave: request.slave, coil: request.coil, pulseMs: request.pulseMs };
  }
  if (request.function !== 'read-inputs')
    throw new FrameError('FRAME_UNKNOWN_COMMAND', 'no reply is decoded for this request');
  const byteCount = Math.ceil(request.count / 8);
  expectCrc(view, byteCount + 5, 'Modbus read-inputs reply');
  if (view[2] !== byteCount) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `Modbus read of ${request.count} inputs has ${byteCount} data bytes, reply says ${view[2]}`,
    );
  }
  return {
    kind: 'inputs',
    slave: view[0]!,
    bits: bitsFromBytes(view.subarray(3, 3 + byteCount), request.count),
  };
}

function validateCrc(frame: Uint8Array): 'ok' | 'checksum' {
  const n = frame.length;
  return modbusCrc(frame.subarray(0, n - 2)) === (frame[n - 2]! | (frame[n - 1]! << 8)) ? 'ok' : 'checksum';
}

/**
 * Replies framed by length: the 05 echo is 8 bytes, an exception 5, a read-inputs reply 5 + N where
 * N, its byte-count field, must be one the bus asks for (`inputByteCounts`); the CRC decides.
 */
export function modbusReplySpec(slaves: readonly number[], inputByteCounts: readonly number[]): FrameSpec {
  const byteCounts = new Set(inputByteCounts);
  const exceptionCodes = new Set(
    [modbusRtu.writeSingleCoil, modbusRtu.readDiscreteInputs].map((code) => code | modbusRtu.exceptionFlag),
  );
  return {
    name: 'Modbus RTU reply',
    startBytes: new Set(slaves),
    maxFrameLength: Math.max(modbusRtu.fixedFrameLength, ...[...byteCounts].map((n) => n + 5)),
    match(bytes, atSilence) {
      if (bytes.length < 3) return { kind: 'incomplete' };
      const code = bytes[1]!;
      let length: number;
      if (code === modbusRtu.writeSingleCoil) length = modbusRtu.fixedFrameLength;
      else if (exceptionCodes.has(code)) length = modbusRtu.exceptionFrameLength;
      else if (code === modbusRtu.readDiscreteInputs && byteCounts.has(bytes[2]!)) length = bytes[2]! + 5;
      else return { kind: 'invalid', reason: 'structure' };
      return matchByCandidateLengths(bytes, [length], validateCrc, atSilence);
    },
  };
}

/** Requests of functions 01–06 are 8 bytes; anything else on the bus is not framed. */
export const modbusRequestSpec: FrameSpec = {
  name: 'Modbus RTU request',
  startBytes: new Set(Array.from({ length: modbusRtu.maxAddress + 1 }, (_, i) => i)),
  maxFrameLength: modbusRtu.fixedFrameLength,
  match(bytes, atSilence) {
    if (bytes.length < 2) return { kind: 'incomplete' };
    const code = bytes[1]!;
    if (code < 0x01 || code > 0x06) return { kind: 'invalid', reason: 'structure' };
    return matchByCandidateLengths(bytes, [modbusRtu.fixedFrameLength], validateCrc, atSilence);
  },
};

function fields(slave: number, code: number, first: number, second: number): number[] {
  return [slave, code, first >> 8, first & 0xff, second >> 8, second & 0xff];
}

function withCrc(bytes: number[]): Buffer {
  const frame = Buffer.from([...bytes, 0, 0]);
  frame.writeUInt16LE(modbusCrc(frame.subarray(0, frame.length - 2)), frame.length - 2);
  return frame;
}

function checkSlave(slave: number): void {
  if (!Number.isInteger(slave) || slave < modbusRtu.minAddress || slave > modbusRtu.maxAddress) {
    throw new FrameError('FRAME_BAD_FIELD', `Modbus slave address must be 1–247, got ${slave}`);
  }
}

function expectCrc(frame: Uint8Array, length: number, what: string): void {
  if (frame.length !== length) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `${what} is ${length} bytes, got ${frame.length}: ${toHex(frame)}`,
    );
  }
  if (validateCrc(frame) === 'checksum') {
    const expected = modbusCrc(frame.subarray(0, length - 2));
    throw new FrameError(
      'FRAME_BAD_CHECKSUM',
      `${what} CRC is ${hex(expected & 0xff)} ${hex(expected >> 8)}, frame says ${toHex(frame.subarray(length - 2))}`,
    );
  }
}
