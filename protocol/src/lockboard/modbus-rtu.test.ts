import crc16modbus from 'crc/crc16modbus';
import { describe, expect, it } from 'vitest';
import {
  modbusPublishedFrames as frames,
  modbusSpecReadInputsResponsePdu,
} from './fixtures/modbus-published-frames.ts';
import { FrameParser } from './frame-parser.ts';
import type { FrameSpec } from './frame-spec.ts';
import {
  decodeModbusReply,
  decodeModbusRequest,
  encodeModbusReply,
  encodeModbusRequest,
  modbusReplySpec,
  modbusRequestSpec,
} from './modbus-rtu.ts';

function withLibraryCrc(bytes: Buffer): Buffer {
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16modbus(bytes));
  return Buffer.concat([bytes, crc]);
}

function parse(spec: FrameSpec, chunks: Buffer[]): { frames: Buffer[]; parser: FrameParser } {
  const parser = new FrameParser({ spec });
  const out: Buffer[] = [];
  parser.on('data', (frame: Buffer) => out.push(frame));
  for (const chunk of chunks) parser.write(chunk);
  return { frames: out, parser };
}

describe('Modbus RTU codec against published frames', () => {
  it('encodes the Waveshare flash-on (timed pulse) frames byte for byte', () => {
    expect(encodeModbusRequest({ function: 'pulse-coil', slave: 1, coil: 0, pulseMs: 700 })).toEqual(
      frames.flashOnRelay0For700ms,
    );
    expect(encodeModbusRequest({ function: 'pulse-coil', slave: 1, coil: 1, pulseMs: 800 })).toEqual(
      frames.flashOnRelay1For800ms,
    );
  });

  it('rounds a pulse up to whole 100 ms units', () => {
    expect(encodeModbusRequest({ function: 'pulse-coil', slave: 1, coil: 0, pulseMs: 650 })).toEqual(
      frames.flashOnRelay0For700ms,
    );
  });

  it('encodes read-discrete-inputs requests as the vendor, Beckhoff and Modicon examples', () => {
    expect(encodeModbusRequest({ function: 'read-inputs', slave: 1, start: 0, count: 8 })).toEqual(
      frames.readEightInputs,
    );
    expect(encodeModbusRequest({ function: 'read-inputs', slave: 11, start: 0, count: 10 })).toEqual(
      frames.beckhoffReadTenInputs,
    );
    expect(encodeModbusRequest({ function: 'read-inputs', slave: 17, start: 0xc4, count: 22 })).toEqual(
      frames.modiconReadTwentyTwoInputs,
    );
  });

  it('decodes the published input replies, first input in the low bit of the first byte', () => {
    const none = decodeModbusReply(frames.eightInputsNoneActive, {
      function: 'read-inputs',
      slave: 1,
      start: 0,
      count: 8,
    });
    expect(none).toEqual({ kind: 'inputs', slave: 1, bits: Array(8).fill(false) });
    const first = decodeModbusReply(frames.beckhoffTenInputsFirstActive, {
      function: 'read-inputs',
      slave: 11,
      start: 0,
      count: 10,
    });
    expect(first).toMatchObject({
      kind: 'inputs',
      bits: [true, false, false, false, false, false, false, false, false, false],
    });
  });

  it('decodes the Application Protocol §6.2 example (AC DB 35) into 22 inputs', () => {
    const frame = withLibraryCrc(Buffer.concat([Buffer.from([17]), modbusSpecReadInputsResponsePdu]));
    const reply = decodeModbusReply(frame, { function: 'read-inputs', slave: 17, start: 0xc4, count: 22 });
    // 0xAC = 1010 1100: inputs 10197–10204 read (LSB first) off off on on off on off on
    expect(reply.kind === 'inputs' && reply.bits.slice(0, 8)).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
    // 0x35 = 0011 0101: the last 6 inputs 10213–10218 on off on off on on
    expect(reply.kind === 'inputs' && reply.bits.slice(16)).toEqual([true, false, true, false, true, true]);
  });

  it('decodes the flash-on echo and the exception reply 0x80 | function', () => {
    const request = { function: 'pulse-coil' as const, slave: 1, coil: 0, pulseMs: 700 };
    expect(decodeModbusReply(frames.flashOnRelay0For700ms, request)).toEqual({
      kind: 'pulse-echo',
      slave: 1,
      coil: 0,
      pulseMs: 700,
    });
    expect(decodeModbusReply(frames.writeCoilIllegalValue, request)).toEqual({
      kind: 'exception',
      slave: 1,
      function: 0x05,
      exceptionCode: 0x03,
    });
    expect(encodeModbusReply({ kind: 'exception', slave: 1, function: 0x05, exceptionCode: 0x03 })).toEqual(
      frames.writeCoilIllegalValue,
    );
  });

  it('the board side reads the published requests', () => {
    expect(decodeModbusRequest(frames.flashOnRelay1For800ms)).toEqual({
      function: 'pulse-coil',
      slave: 1,
      coil: 1,
      pulseMs: 800,
    });
    expect(decodeModbusRequest(frames.modiconReadTwentyTwoInputs)).toEqual({
      function: 'read-inputs',
      slave: 17,
      start: 0xc4,
      count: 22,
    });
    expect(encodeModbusReply({ kind: 'inputs', slave: 1, bits: Array(8).fill(false) })).toEqual(
      frames.eightInputsNoneActive,
    );
  });

  it('rejects a reply with a bad CRC, a wrong echo, the wrong slave and a wrong byte count', () => {
    const read = { function: 'read-inputs' as const, slave: 1, start: 0, count: 8 };
    const bad = Buffer.from(frames.eightInputsNoneActive);
    bad[3] = 0x01;
    expect(() => decodeModbusReply(bad, read)).toThrow(/FRAME_BAD_CHECKSUM/);
    expect(() =>
      decodeModbusReply(frames.flashOnRelay1For800ms, {
        function: 'pulse-coil',
        slave: 1,
        coil: 0,
        pulseMs: 700,
      }),
    ).toThrow(/FRAME_BAD_FIELD/);
    expect(() => decodeModbusReply(frames.beckhoffTenInputsFirstActive, read)).toThrow(/FRAME_BAD_MARKER/);
    expect(() => decodeModbusReply(frames.beckhoffTenInputsFirstActive, { ...read, slave: 11 })).toThrow(
      /FRAME_BAD_LENGTH/,
    );
  });

  it('refuses fields outside the protocol: slave 0 or 248, a zero pulse, a coil past 255', () => {
    expect(() => encodeModbusRequest({ function: 'read-inputs', slave: 0, start: 0, count: 8 })).toThrow(
      /1–247/,
    );
    expect(() => encodeModbusRequest({ function: 'read-inputs', slave: 248, start: 0, count: 8 })).toThrow(
      /1–247/,
    );
    expect(() => encodeModbusRequest({ function: 'pulse-coil', slave: 1, coil: 0, pulseMs: 0 })).toThrow(
      /FRAME_BAD_FIELD/,
    );
    expect(() => encodeModbusRequest({ function: 'pulse-coil', slave: 1, coil: 256, pulseMs: 500 })).toThrow(
      /0–255/,
    );
  });
});

describe('Modbus RTU framing by length', () => {
  const spec = modbusReplySpec([1, 11], [1, 2]);

  it('frames replies split in bursts, two in one chunk, and garbage before the slave byte', () => {
    const a = frames.eightInputsNoneActive;
    const b = frames.flashOnRelay0For700ms;
    const { frames: out, parser } = parse(spec, [
      Buffer.from([0x55, 0x99]),
      a.subarray(0, 2),
      a.subarray(2),
      Buffer.concat([b, frames.writeCoilIllegalValue]),
    ]);
    expect(out).toEqual([a, b, frames.writeCoilIllegalValue]);
    expect(parser.counters.resyncs).toBe(1);
  });

  it('waits for the rest of a fixed-length reply however long the pause (never cut at silence)', async () => {
    const parser = new FrameParser({ spec, silenceMs: 5 });
    const out: Buffer[] = [];
    parser.on('data', (frame: Buffer) => out.push(frame));
    parser.write(frames.beckhoffTenInputsFirstActive.subarray(0, 4));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(out).toEqual([]);
    parser.write(frames.beckhoffTenInputsFirstActive.subarray(4));
    expect(out).toEqual([frames.beckhoffTenInputsFirstActive]);
  });

  it('counts a reply with a bad CRC as a checksum error and frames the next good one', () => {
    const bad = Buffer.from(frames.flashOnRelay0For700ms);
    bad[5] = 0x08;
    const { frames: out, parser } = parse(spec, [bad, frames.eightInputsNoneActive]);
    expect(out).toEqual([frames.eightInputsNoneActive]);
    expect(parser.counters.checksumErrors).toBeGreaterThan(0);
  });

  it('requests: the board side frames 8-byte requests and skips an unknown function', () => {
    const { frames: out } = parse(modbusRequestSpec, [
      Buffer.from([0x01, 0x2b]),
      frames.readEightInputs.subarray(0, 3),
      frames.readEightInputs.subarray(3),
    ]);
    expect(out).toEqual([frames.readEightInputs]);
  });
});
