import { randomUUID } from 'node:crypto';
import { topicFor } from '@locker/protocol';
import { closedFlag, connectProbe, createTestFleet, until } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

let fleet: Fleet;
let app: FastifyInstance;
const password = 'a long enough password';
const clients: MqttClient[] = [];
let it_ieper: { cookie: string; csrf: string };
let it_pop: { cookie: string; csrf: string };
let desk_ieper: { cookie: string; csrf: string };
const seqs = new Map<string, number>();

async function login(username: string) {
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  expect(response.statusCode, response.body).toBe(200);
  return { cookie: String(response.headers['set-cookie']).split(';')[0]!, csrf: response.json().csrfToken };
}

const post = (session: { cookie: string; csrf: string }, url: string, payload: object = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    payload,
  });

async function connectLocker(lockerId: string, secret: string): Promise<MqttClient> {
  const client = await connectProbe(fleet.brokerUrl, lockerId, secret, `locker-${lockerId}`);
  clients.push(client);
  return client;
}

/** Publishes a door event as the locker would (QoS 0, not awaited: a closed session may never answer). */
function publishEvent(client: MqttClient, lockerId: string): string {
  const id = randomUUID();
  const seq = (seqs.get(lockerId) ?? 0) + 1;
  seqs.set(lockerId, seq);
  const event = {
    v: 1,
    id,
    seq,
    lockerId,
    type: 'door_closed',
    at: new Date().toISOString(),
    compartment: 1,
  };
  client.publish(topicFor('events', lockerId), JSON.stringify(event), { qos: 0 });
  return id;
}

const applied = (lockerId: string, id: string) =>
  fleet.store.events.recent([lockerId], 1000).some((e) => e.id === id);

function provision(id: string, municipalityId: string): ProvisionedLocker {
  return fleet.registry.provision({ id, municipalityId, siteId: null, name: id }, 'test');
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
  fleet.store.directory.upsertMunicipality('poperinge', 'Poperinge');
  for (const [username, municipality] of [
    ['it-ieper', 'ieper'],
    ['it-pop', 'poperinge'],
  ] as const)
    await fleet.staff.create(
      { username, display: username, password, role: 'it', municipalities: [municipality] },
      'test',
    );
  await fleet.staff.create(
    { username: 'desk-ieper', display: 'DI', password, role: 'desk', municipalities: ['ieper'] },
    'test',
  );
  it_ieper = await login('it-ieper');
  it_pop = await login('it-pop');
  desk_ieper = await login('desk-ieper');
}, 30_000);

afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true);
});

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('offboarding a locker (real broker over TCP, real HTTP)', () => {
  it('rotating the credentials closes the live session at once; its publish is not applied; the new password logs in', async () => {
    const locker = provision('ieper-rot', 'ieper');
    const old = await connectLocker('ieper-rot', locker.mqtt.password);
    const before = publishEvent(old, 'ieper-rot');
    await until(() => applied('ieper-rot', before), 'event of the live session applied');

    const closed = closedFlag(old);
    const rotated = await post(it_ieper, '/api/lockers/ieper-rot/rotate-credentials');
    expect(rotated.statusCode, rotated.body).toBe(200);
    await until(closed, 'the old session closed by the broker');
    expect(old.connected).toBe(false);
    const stale = publishEvent(old, 'ieper-rot');

    await expect(connectLocker('ieper-rot', locker.mqtt.password)).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    const fresh = await connectLocker('ieper-rot', rotated.json().password);
    const after = publishEvent(fresh, 'ieper-rot');
    await until(() => applied('ieper-rot', after), 'event of the new session applied');
    expect(applied('ieper-rot', stale)).toBe(false);
    expect(fleet.store.audit.list({ municipalities: ['ieper'], limit: 10 }).map((a) => a.action)).toContain(
      'locker.rotate_credentials',
    );
  }, 30_000);

  it('decommissioning (IT of the locker’s municipality, with a reason) refuses logins, closes the session, keeps history, is audited', async () => {
    const locker = provision('ieper-dec', 'ieper');
    const live = await connectLocker('ieper-dec', locker.mqtt.password);
    const kept = publishEvent(live, 'ieper-dec');
    await until(() => applied('ieper-dec', kept), 'event applied before decommissioning');

    expect((await post(it_ieper, '/api/lockers/ieper-dec/decommission', {})).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      (await post(it_pop, '/api/lockers/ieper-dec/decommission', { reason: 'vandalised' })).statusCode,
    ).toBe(404);
    const closed = closedFlag(live);
    const done = await post(it_ieper, '/api/lockers/ieper-dec/decommission', { reason: 'site closed' });
    expect(done.statusCode, done.body).toBe(200);
    await until(closed, 'the live session closed by the broker');

    await expect(connectLocker('ieper-dec', locker.mqtt.password)).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    const again = await post(it_ieper, '/api/lockers/ieper-dec/decommission', { reason: 'twice' });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'LOCKER_DECOMMISSIONED']);
    const rotate = await post(it_ieper, '/api/lockers/ieper-dec/rotate-credentials');
    expect(rotate.json().error.code).toBe('LOCKER_DECOMMISSIONED');
    const changesBefore = fleet.store.lockers.latestVersion('ieper-dec');
    const reservation = await post(desk_ieper, '/api/reservations', {
      lockerId: 'ieper-dec',
      itemType: 'hall_key',
      citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
    });
    expect([reservation.statusCode, reservation.json().error.code]).toEqual([409, 'LOCKER_DECOMMISSIONED']);
    const clerk = fleet.store.users.byUsername('desk-ieper')!;
    const pin = await post(desk_ieper, `/api/users/${clerk.id}/locker-pin`, { pin: '3141592653' });
    expect(pin.statusCode, pin.body).toBe(200);
    expect(fleet.store.users.staffPinLockers(clerk.id)).not.toContain('ieper-dec');
    expect(fleet.store.lockers.latestVersion('ieper-dec'), 'no change queued for it').toBe(changesBefore);

    expect(applied('ieper-dec', kept)).toBe(true);
    const view = await app.inject({
      method: 'GET',
      url: '/api/lockers/ieper-dec',
      headers: { cookie: it_ieper.cookie },
    });
    expect(view.json()).toMatchObject({
      decommissionedAt: expect.any(String),
      decommissionReason: 'site closed',
    });
    const audit = fleet.store.audit.list({ municipalities: ['ieper'], limit: 20 });
    expect(audit.find((a) => a.action === 'locker.decommission')).toMatchObject({
      target: 'ieper-dec',
      data: { reason: 'site closed' },
    });
  }, 30_000);
});
