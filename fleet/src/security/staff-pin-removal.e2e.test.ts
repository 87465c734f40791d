import { createTestFleet, inSync, startLockerAt, until } from '@locker/test-kit/fleet';
import { LockerRig } from '@locker/test-kit/locker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

const password = 'a long enough password';
/** Whose PIN is removed, who is disabled, and who keeps working. */
const pins = { removed: '3141592653', disabled: '2718281828', kept: '1618033988' } as const;
let fleet: Fleet;
let app: FastifyInstance;
let online: LockerRig;
let offline: LockerRig;
let admin: { cookie: string; csrf: string };
const userIds: Record<keyof typeof pins, string> = { removed: '', disabled: '', kept: '' };

const call = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    ...(payload ? { payload } : {}),
  });

/** Types a staff PIN at the locker's keypad; returns the screen it answers with, leaving staff mode. */
async function staffPinAt(rig: LockerRig, pin: string): Promise<string> {
  const screen = await rig.enter('keypad', pin, 15_000);
  if (screen.view === 'staff') await fetch(`${rig.kioskUrl}/api/staff/end`, { method: 'POST' });
  return screen.view;
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  app = buildApp({
    ...fleet.httpServices(),
    logger: pino({ level: 'silent' }),
    secureCookies: false,
    loginLimits: { perUser: 5, perAddress: 50, windowMs: 60_000 },
  });
  await app.ready();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  online = await startLockerAt(fleet, 'ieper-online', 'ieper');
  // the second locker runs as its own process, so it can be killed and started again
  const provisioned = fleet.registry.provision(
    { id: 'ieper-offline', municipalityId: 'ieper', siteId: null, name: 'Bib' },
    'test',
  );
  offline = new LockerRig({
    fleet: {
      url: fleet.brokerUrl,
      lockerId: 'ieper-offline',
      municipality: 'ieper',
      password: provisioned.mqtt.password,
      codeKey: provisioned.codeKey,
    },
  });
  await offline.start();
  await offline.startDeviceProcess();
  await fleet.staff.create(
    { username: 'admin', display: 'Admin', password, role: 'admin', municipalities: ['ieper'] },
    'test',
  );
  for (const who of Object.keys(pins) as (keyof typeof pins)[]) {
    const user = await fleet.staff.create(
      {
        username: `clerk-${who}`,
        display: who.slice(0, 2),
        password,
        role: 'desk',
        municipalities: ['ieper'],
      },
      'test',
    );
    userIds[who] = user.id;
    fleet.staff.setLockerPin(user.id, pins[who], 'test');
  }
  const response = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username: 'admin', password },
  });
  admin = { cookie: String(response.headers['set-cookie']).split(';')[0]!, csrf: response.json().csrfToken };
}, 90_000);

afterAll(async () => {
  await online?.stop();
  await offline?.stop();
  await app?.close();
  await fleet?.stop();
});

describe('removing staff PINs from every locker (real lockers: keypad on a pty, device runtime, broker)', () => {
  // one story in its steps: each step starts where the one before left the lockers
  it('every staff PIN opens staff mode at both lockers; a removed PIN and a disabled user’s PIN stop opening it, also at a locker that was offline; re-enabling the user brings their PIN back', async () => {
    // before: every PIN opens staff mode at both lockers
    for (const [id, rig] of [
      ['ieper-online', online],
      ['ieper-offline', offline],
    ] as const) {
      await until(
        () => fleet.store.lockers.get(id)?.online === true && inSync(fleet, id),
        `${id} in sync`,
        30_000,
      );
      for (const pin of Object.values(pins)) expect(await staffPinAt(rig, pin), `${id} ${pin}`).toBe('staff');
    }

    // a PIN removed and a user disabled while one locker is offline
    await offline.killDevice();
    await until(() => fleet.store.lockers.get('ieper-offline')?.online === false, 'the locker seen offline');

    const removed = await call('DELETE', `/api/users/${userIds.removed}/locker-pin`);
    expect(removed.json(), removed.body).toEqual({ lockers: 2 });
    const disabled = await call('POST', `/api/users/${userIds.disabled}/disable`, {
      reason: 'left the service',
    });
    expect(disabled.json(), disabled.body).toMatchObject({ lockers: 2 });
    const audit = fleet.store.audit.list({ municipalities: ['ieper'], limit: 20 }).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['user.remove_locker_pin', 'user.disable']));

    await until(() => inSync(fleet, 'ieper-online'), 'the online locker applied the removals', 30_000);
    expect(await staffPinAt(online, pins.removed)).toBe('rejected');
    expect(await staffPinAt(online, pins.disabled)).toBe('rejected');
    expect(await staffPinAt(online, pins.kept)).toBe('staff');

    expect(inSync(fleet, 'ieper-offline')).toBe(false);
    await offline.startDeviceProcess();
    await until(() => inSync(fleet, 'ieper-offline'), 'the offline locker caught up', 30_000);
    expect(await staffPinAt(offline, pins.removed)).toBe('rejected');
    expect(await staffPinAt(offline, pins.disabled)).toBe('rejected');
    expect(await staffPinAt(offline, pins.kept)).toBe('staff');

    // the user enabled again
    const enabled = await call('POST', `/api/users/${userIds.disabled}/enable`);
    expect(enabled.json(), enabled.body).toEqual({ lockers: 2 });
    await until(() => inSync(fleet, 'ieper-online'), 'the locker applied the change', 30_000);
    expect(await staffPinAt(online, pins.disabled)).toBe('staff');
  }, 270_000);
});
