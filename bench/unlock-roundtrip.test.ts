import { boardDrivers, lockBusConfigSchema, lockBusDefaults, resolveBoards } from '@locker/device';
import { describe, expect, it } from 'vitest';
import { unlockFrames, unlockRoundTrip } from './unlock-roundtrip.ts';

const protocols = ['cu48', 'cu16', 'xor8a', 'modbus-rtu'] as const;

describe('unlock round trip bench', () => {
  it.each(protocols)('counts the request bytes the %s driver sends', (protocol) => {
    const { address, locks, unlock, status } = unlockFrames[protocol];
    const config = lockBusConfigSchema.parse({
      protocol,
      transport: 'tcp://x:1',
      boards: [{ address, locks }],
    });
    const [board] = resolveBoards(config);
    const driver = boardDrivers[protocol];
    expect(driver.unlockExchange(board!, 1).request.length).toBe(unlock.request);
    expect(driver.statusExchange(board!).request.length).toBe(status.request);
  });

  it.each(protocols)(
    'measures %s with the shipped bus defaults at its own line speed',
    async (protocol) => {
      const figures = await unlockRoundTrip(protocol, 2, 'shipped');
      expect(figures).toMatchObject({
        protocol,
        timing: 'shipped',
        samples: 2,
        baudRate: boardDrivers[protocol].baudRate,
        statusReads: lockBusDefaults.debounceReads,
      });
      const { unlock, status } = unlockFrames[protocol];
      expect(figures.wireBytes).toBe(
        unlock.request + unlock.reply + lockBusDefaults.debounceReads * (status.request + status.reply),
      );
      expect(figures.roundTripMs.p50).toBeGreaterThan(0);
    },
    60_000,
  );
});
