import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { BoardLockBus } from './board-lock-bus.ts';
import { lockBusConfigSchema } from './lock-bus-config.ts';

function problems(input: unknown): string[] {
  const result = lockBusConfigSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('lock bus configuration', () => {
  it('accepts a minimal config and fills the defaults', () => {
    const config = lockBusConfigSchema.parse({
      protocol: 'cu48',
      transport: '/dev/serial/by-id/usb-FTDI',
      boards: [{ address: 0, locks: 48 }],
    });
    expect(config.timing).toEqual({});
  });

  it('names each bad field: duplicate address, too many locks, address out of range, unknown key', () => {
    const found = problems({
      protocol: 'xor8a',
      transport: 'tcp://10.0.0.5:4001',
      boards: [
        { address: 1, locks: 300 },
        { address: 1, locks: 24 },
        { address: 0, locks: 24 },
      ],
      timing: { pollIntervalMs: -1, bogus: 1 },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^boards\.0\.locks: .*at most 256/),
        expect.stringMatching(/^boards\.1\.address: address 1 is used twice/),
        expect.stringMatching(/^boards\.2\.address: 8A\/80 DIP addresses are 1–31/),
        expect.stringMatching(/^timing\.pollIntervalMs/),
        expect.stringMatching(/^timing: .*bogus/),
      ]),
    );
  });

  it('refuses to build a bus from an invalid config', () => {
    expect(() =>
      BoardLockBus.fromConfig({ protocol: 'cu48', transport: '', boards: [] } as never, {
        logger: pino({ level: 'silent' }),
      }),
    ).toThrow(ZodError);
  });
});
