import { fromHex } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { lockBusConfigSchema, resolveBoards } from '../lock-bus-config.ts';
import { cu48Driver } from './cu48-driver.ts';

function defaultBoard() {
  const config = lockBusConfigSchema.parse({
    protocol: 'cu48',
    transport: 'x',
    boards: [{ address: 0, locks: 48 }],
  });
  return resolveBoards(config)[0]!;
}

describe('CU48 driver with the default settings', () => {
  it('reads the vendor document example (v2.1, p. 5) as locks 1–3, 47 and 48 locked, the other 43 unlocked', () => {
    // 02 STX · 00 board 0 · 00 · 65 status reply · 07 locks 1–3 set · 00 ×4 · c0 locks 47, 48 set · 03 ETX · 31 sum
    const reply = fromHex('02 00 00 65 07 00 00 00 00 c0 03 31');
    const { closed } = cu48Driver.statusExchange(defaultBoard()).decode(reply);
    const locked = closed.flatMap((isClosed, i) => (isClosed ? [i + 1] : []));
    expect(locked).toEqual([1, 2, 3, 47, 48]);
  });

  it('asks for status with lock byte 00 as the vendor example does, or 0x30 when the dialect says so', () => {
    const board = defaultBoard();
    expect(cu48Driver.statusExchange(board).request).toEqual(fromHex('02 00 00 50 03 55'));
    const firmware30 = {
      ...board,
      kerongDialect: { ...board.kerongDialect, cu48StatusLockByte: 0x30 as const },
    };
    expect(cu48Driver.statusExchange(firmware30).request).toEqual(fromHex('02 00 30 50 03 85'));
  });

  it('is not commissioned: the polarity is unconfirmed until commissioning writes it', () => {
    expect(defaultBoard().polarityConfirmed).toBe(false);
  });
});
