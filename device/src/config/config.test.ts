import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@locker/node-kit';
import { describe, expect, it } from 'vitest';
import { loadDeviceConfig, parseDeviceConfig } from './load-device-config.ts';

const valid = `
lockerId: ieper-stadhuis-1
municipality: ieper
bus:
  protocol: cu16
  transport: /dev/serial/by-id/usb-rs485
  boards: [{ address: 0, locks: 16 }]
compartments:
  - { number: 1, board: 0, lock: 1, size: S, itemSensor: true, position: { column: 1, row: top } }
  - { number: 2, board: 0, lock: 2, size: M, position: { column: 1, row: bottom } }
fleet: { url: "mqtts://fleet.example.be:8883", username: ieper-stadhuis-1, password: { file: /etc/locker/mqtt-password } }
secrets: { codeKey: { env: LOCKER_CODE_KEY }, auditKey: { env: LOCKER_AUDIT_KEY } }
store: { path: /var/lib/locker/device.db }
`;

function problems(text: string, source = 'locker.yaml'): string[] {
  try {
    parseDeviceConfig(text, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('device config', () => {
  it('reads YAML and JSON and fills defaults (production mode, soft GPIO, kiosk on loopback)', () => {
    const config = parseDeviceConfig(valid, 'locker.yaml');
    expect(config).toMatchObject({
      mode: 'production',
      gpio: { driver: 'soft' },
      kiosk: { host: '127.0.0.1', port: 8080 },
    });
    expect(config.compartments[1]).toMatchObject({ doorSensor: true, itemSensor: false });
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'locker.json'), JSON.stringify(config));
    expect(loadDeviceConfig(join(dir, 'locker.json')).lockerId).toBe('ieper-stadhuis-1');
  });

  it('selects a GPIO driver: sysfs with its root, gpiod with its chip; refuses an unknown driver or a chip that is not a name', () => {
    expect(
      parseDeviceConfig(`${valid}gpio: { driver: sysfs, sysfsRoot: /sys/class/gpio, tamperPin: 534 }\n`, 'l')
        .gpio,
    ).toEqual({ driver: 'sysfs', sysfsRoot: '/sys/class/gpio', tamperPin: 534 });
    expect(
      parseDeviceConfig(`${valid}gpio: { driver: gpiod, chip: gpiochip0, lightPin: 17 }\n`, 'l').gpio,
    ).toEqual({
      driver: 'gpiod',
      chip: 'gpiochip0',
      lightPin: 17,
    });
    expect(problems(`${valid}gpio: { driver: wiringpi }\n`)).toEqual([expect.stringMatching(/gpio\.driver/)]);
    expect(problems(`${valid}gpio: { driver: gpiod, chip: "0; reboot" }\n`)).toEqual([
      expect.stringMatching(/gpio\.chip: a chip name such as gpiochip0/),
    ]);
  });

  it('requires an audit key apart from the database (secrets.auditKey)', () => {
    expect(problems(valid.replace(', auditKey: { env: LOCKER_AUDIT_KEY }', ''))).toEqual([
      expect.stringMatching(/^locker\.yaml: secrets\.auditKey: /),
    ]);
  });

  it('names every bad field on its own line', () => {
    const bad = valid
      .replace('ieper-stadhuis-1\n', 'Ieper Stadhuis\n')
      .replace('size: M', 'size: XXL')
      .replace('lock: 2,', 'lock: 1,')
      .replace('{ env: LOCKER_CODE_KEY }', '"hunter2"');
    const lines = problems(bad);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^locker\.yaml: lockerId: 1–64 of a-z/),
        expect.stringMatching(/compartments\.1\.size: /),
        expect.stringMatching(/secrets\.codeKey: /),
      ]),
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a compartment on a lock that does not exist or is used twice', () => {
    expect(problems(valid.replace('lock: 2,', 'lock: 1,'))).toEqual([
      expect.stringMatching(/compartments\.1\.lock: board 0 lock 1 is already used/),
    ]);
    expect(problems(valid.replace('lock: 2,', 'lock: 17,'))).toEqual([
      expect.stringMatching(/board 0 has 16 locks/),
    ]);
    expect(problems(valid.replace('board: 0, lock: 2', 'board: 3, lock: 2'))).toEqual([
      expect.stringMatching(/no board with address 3/),
    ]);
  });

  it('refuses a fleet without credentials in production, not in development', () => {
    const open = valid.replace(
      ', username: ieper-stadhuis-1, password: { file: /etc/locker/mqtt-password }',
      '',
    );
    expect(problems(open)).toEqual([expect.stringMatching(/fleet\.password: production mode needs/)]);
    expect(problems(`${open}mode: development\n`)).toEqual([]);
  });

  it('refuses a duration above its ceiling (Node would fire such a timer after 1 ms), naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'locker.yaml');
    const huge = 2 ** 31; // one above the largest timer Node keeps
    writeFileSync(
      file,
      `${valid.replace('boards: [{ address: 0, locks: 16 }]', `boards: [{ address: 0, locks: 16 }]\n  timing: { pollIntervalMs: ${huge} }`)}` +
        `timing: { telemetryMs: ${huge}, doorReminderMs: ${huge}, doorAlarmMs: ${huge}, inactivityMs: ${huge} }\n` +
        `lockout: { freeAttempts: 3, baseDelayMs: ${huge}, maxDelayMs: ${huge}, alarmAfter: 6, forgetAfterMs: ${huge} }\n`,
    );
    let error: unknown;
    try {
      loadDeviceConfig(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).problems;
    for (const field of [
      'bus.timing.pollIntervalMs',
      'timing.telemetryMs',
      'timing.doorReminderMs',
      'timing.doorAlarmMs',
      'timing.inactivityMs',
      'lockout.baseDelayMs',
      'lockout.maxDelayMs',
      'lockout.forgetAfterMs',
    ])
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}: ${field}: `)));
    expect(lines).toContainEqual(`${file}: timing.telemetryMs: at most 3600000 ms (60 min)`);
    const reconnect = valid.replace(
      'password: { file: /etc/locker/mqtt-password } }',
      `password: { file: /etc/locker/mqtt-password }, reconnect: { maxMs: ${huge} } }`,
    );
    expect(problems(reconnect)).toEqual(['locker.yaml: fleet.reconnect.maxMs: at most 3600000 ms (60 min)']);
    // the largest accepted value is still a timer Node keeps
    expect(problems(`${valid}timing: { doorAlarmMs: ${24 * 3_600_000} }\n`)).toEqual([]);
  });

  it('reports syntax errors and unreadable files with the file name', () => {
    expect(problems('lockerId: [unclosed', 'x.yaml')[0]).toMatch(/^x\.yaml: /);
    expect(() => loadDeviceConfig('/nonexistent/locker.yaml')).toThrow(/ENOENT; pass --config/);
  });
});

describe('the example config in hardware-docs', () => {
  it('is valid as written', () => {
    const example = new URL('../../../hardware-docs/locker-pc/locker.example.yaml', import.meta.url).pathname;
    const config = loadDeviceConfig(example);
    expect(config).toMatchObject({
      lockerId: 'ieper-stadhuis-1',
      mode: 'production',
      gpio: { driver: 'gpiod', chip: 'gpiochip0' },
    });
  });
});
