import { fromHex, modbusCrc } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { type LockBusConfigInput, lockBusConfigSchema, resolveBoards } from '../lock-bus-config.ts';
import { modbusDriver } from './modbus-driver.ts';

type BoardInput = LockBusConfigInput['boards'][number];

function board(input: Partial<BoardInput> = {}) {
  const config = lockBusConfigSchema.parse({
    protocol: 'modbus-rtu',
    transport: 'x',
    boards: [{ address: 1, locks: 8, ...input }],
  });
  return resolveBoards(config)[0]!;
}

function problems(boards: BoardInput[]): string[] {
  const result = lockBusConfigSchema.safeParse({ protocol: 'modbus-rtu', transport: 'x', boards });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('Modbus RTU driver', () => {
  it('asks for the door sensors with the vendor wiki frame (8 inputs of slave 1: 01 02 00 00 00 08 79 CC)', () => {
    expect(modbusDriver.statusExchange(board()).request).toEqual(fromHex('01 02 00 00 00 08 79 CC'));
  });

  it('unlocks with the vendor wiki flash-on frame (relay 0, 700 ms: 01 05 02 00 00 07 8D B0), acknowledged by its echo', () => {
    const exchange = modbusDriver.unlockExchange(board({ modbus: { pulseMs: 700 } }), 1);
    expect(exchange.request).toEqual(fromHex('01 05 02 00 00 07 8D B0'));
    expect(exchange.matches?.(fromHex('01 05 02 00 00 07 8D B0'))).toBe(true);
    // an exception reply (01 85 03 …) is no acknowledgement
    expect(exchange.matches?.(fromHex('01 85 03 02 91'))).toBe(false);
  });

  it('maps each lock to its configured relay and input, and reads the input polarity per board', () => {
    const settings = board({ locks: 2, modbus: { coils: [4, 6], inputs: [3, 5], closedInputValue: 0 } });
    expect(modbusDriver.unlockExchange(settings, 2).request.subarray(0, 6)).toEqual(
      fromHex('01 05 02 06 00 05'),
    );
    const status = modbusDriver.statusExchange(settings);
    // one read from input 3 to input 5
    expect(status.request.subarray(0, 6)).toEqual(fromHex('01 02 00 03 00 03'));
    // 01 slave · 02 · 01 byte · 04 = input 5 active (bit 2), input 3 inactive · CRC
    const reply = fromHex('01 02 01 04 00 00');
    reply.writeUInt16LE(modbusCrc(reply.subarray(0, 4)), 4);
    expect(status.decode(reply).closed).toEqual([true, false]);
  });

  it('an exception reply to the input read is a bad reply, never door states', () => {
    const status = modbusDriver.statusExchange(board());
    const exception = fromHex('01 82 02 C1 61');
    expect(status.matches(exception)).toBe(true);
    expect(() => status.decode(exception)).toThrow(/exception 2/);
  });
});

describe('Modbus RTU bus configuration', () => {
  it('names each bad field: slave 0 and 248, a coil list of the wrong length', () => {
    expect(problems([{ address: 0, locks: 4 }])).toEqual([
      'boards.0.address: Modbus slave addresses are 1–247',
    ]);
    expect(problems([{ address: 248, locks: 4 }])).toEqual([
      'boards.0.address: Modbus slave addresses are 1–247',
    ]);
    expect(problems([{ address: 1, locks: 4, modbus: { coils: [0, 1] } }])).toEqual([
      'boards.0.modbus.coils: needs one entry per lock (4), got 2',
    ]);
  });

  it('defaults: lock n on relay and input n − 1, closed door = input active, 500 ms pulse', () => {
    expect(board({ locks: 3 }).modbus).toEqual({
      coils: [0, 1, 2],
      inputs: [0, 1, 2],
      closedInputValue: 1,
      pulseMs: 500,
    });
  });
});
