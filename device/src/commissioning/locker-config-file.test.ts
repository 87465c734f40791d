import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CompartmentConfig } from '../config/device-config.ts';
import { parseDeviceConfig } from '../config/load-device-config.ts';
import { writeLockerConfig } from './locker-config-file.ts';

const bus = {
  protocol: 'cu48' as const,
  transport: '/dev/serial/by-id/usb-FTDI_RS485-if00',
  boards: [{ address: 0, locks: 2, polarityConfirmed: true, kerongDialect: { closedBitValue: 0 as const } }],
};

function compartment(lock: number, heightCm = { bottom: 40, top: 75 }): CompartmentConfig {
  return {
    number: lock,
    board: 0,
    lock,
    size: 'M',
    doorSensor: true,
    itemSensor: false,
    position: { column: 1, row: 'middle' },
    heightCm,
  };
}

const existing = `lockerId: poperinge-bib-1
municipality: Poperinge
mode: production
bus:
  protocol: cu16
  transport: /dev/ttyUSB0
  boards: [{ address: 5, locks: 16 }]
  timing: { pollIntervalMs: 250 }
compartments:
  - { number: 99, board: 5, lock: 1, size: S, position: { column: 1, row: top } }
secrets: { codeKey: { file: /etc/locker/secrets/code-key }, auditKey: { file: /etc/locker/secrets/audit-key } }
store: { path: /var/lib/locker/device.db }
kiosk: { host: 127.0.0.1, port: 8081 }
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locker-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeLockerConfig', () => {
  it('replaces bus and compartments of an existing config, keeping the rest and its tuned bus timing', async () => {
    const path = join(dir, 'locker.yaml');
    await writeFile(path, existing);

    await writeLockerConfig(path, bus, [compartment(1), compartment(2)], undefined);

    const config = parseDeviceConfig(await readFile(path, 'utf8'), path);
    expect(config.lockerId).toBe('poperinge-bib-1');
    expect(config.kiosk.port).toBe(8081);
    expect(config.bus).toMatchObject({
      protocol: 'cu48',
      transport: bus.transport,
      timing: { pollIntervalMs: 250 },
    });
    expect(config.bus.boards).toEqual([
      { address: 0, locks: 2, polarityConfirmed: true, kerongDialect: { closedBitValue: 0 } },
    ]);
    expect(config.compartments.map((c) => [c.number, c.heightCm])).toEqual([
      [1, { bottom: 40, top: 75 }],
      [2, { bottom: 40, top: 75 }],
    ]);
  });

  it('starts a new config when the file does not exist, given the locker id and municipality', async () => {
    const path = join(dir, 'new.yaml');
    await writeLockerConfig(path, bus, [compartment(1)], {
      lockerId: 'ieper-stadhuis-2',
      municipality: 'Ieper',
    });
    const raw = parseYaml(await readFile(path, 'utf8'));
    expect(raw).toMatchObject({ lockerId: 'ieper-stadhuis-2', store: { path: '/var/lib/locker/device.db' } });
    expect(raw.bus.timing).toBeUndefined();
  });

  it('writes nothing when the result fails the device schema (a compartment whose top is below its bottom)', async () => {
    const path = join(dir, 'locker.yaml');
    await writeFile(path, existing);
    await expect(
      writeLockerConfig(path, bus, [compartment(1, { bottom: 80, top: 40 })], undefined),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('compartments.0.heightCm'),
    });
    expect(await readFile(path, 'utf8')).toBe(existing);
  });

  it('refuses to start a new config without the locker id', async () => {
    await expect(
      writeLockerConfig(join(dir, 'none.yaml'), bus, [compartment(1)], undefined),
    ).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
  });
});
