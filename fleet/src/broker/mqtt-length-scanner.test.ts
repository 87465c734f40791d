import { describe, expect, it } from 'vitest';
import { MqttLengthScanner } from './mqtt-length-scanner.ts';

const packet = (type: number, body: number) => {
  const length: number[] = [];
  let left = body;
  do {
    const byte = left % 128;
    left = Math.floor(left / 128);
    length.push(left > 0 ? byte | 0x80 : byte);
  } while (left > 0);
  return Buffer.concat([Buffer.from([type, ...length]), Buffer.alloc(body, 0x61)]);
};

describe('MQTT length scanner', () => {
  it('reports a declared length over the limit from the header alone (268,435,455 bytes)', () => {
    expect(new MqttLengthScanner(8192).scan(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]))).toBe(268_435_455);
  });

  it('follows packets split across chunks and several in one chunk, skipping bodies', () => {
    const scanner = new MqttLengthScanner(200);
    const stream = Buffer.concat([packet(0x10, 150), packet(0x30, 0), packet(0x30, 200), packet(0xc0, 0)]);
    for (let i = 0; i < stream.length; i += 7)
      expect(scanner.scan(stream.subarray(i, i + 7))).toBeUndefined();
    // a body byte that looks like a header is not mistaken for one: the next real header is
    expect(scanner.scan(packet(0x30, 201))).toBe(201);
  });

  it('splits a length across chunks byte by byte', () => {
    const scanner = new MqttLengthScanner(16_383);
    const header = packet(0x30, 16_384).subarray(0, 4);
    expect(header.subarray(1).length).toBe(3);
    for (const byte of header.subarray(0, 3)) expect(scanner.scan(Buffer.from([byte]))).toBeUndefined();
    expect(scanner.scan(header.subarray(3, 4))).toBe(16_384);
  });

  it('refuses a fifth length byte as malformed', () => {
    expect(new MqttLengthScanner(1e9).scan(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(-1);
  });

  it('applies a raised limit to the packets after the raise', () => {
    const scanner = new MqttLengthScanner(100);
    expect(scanner.scan(packet(0x10, 100))).toBeUndefined();
    scanner.limit = 1000;
    expect(scanner.scan(packet(0x30, 1000))).toBeUndefined();
    expect(scanner.scan(packet(0x30, 1001))).toBe(1001);
  });
});
