import { createTestFleet, until } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from './app.ts';

/** Issue 11: a remote open while the broker is down answered 500 and left a command row that was never sent. */
const password = 'a long enough password';
let fleet: Fleet;
let app: FastifyInstance;
let session: { cookie: string; 'x-csrf-token': string };

const commandRows = () =>
  (fleet.store.db.prepare('SELECT count(*) AS n FROM commands').get() as { n: number }).n;
const lockerAudits = () =>
  fleet.store.audit
    .list({ municipalities: 'all', limit: 100 })
    .filter((a) => ['locker.open', 'locker.disable', 'locker.enable'].includes(a.action)).length;
const command = (type: 'open' | 'disable' | 'enable') =>
  app.inject({
    method: 'POST',
    url: '/api/lockers/ieper-1/commands',
    headers: session,
    payload: { type, compartment: 3, reason: 'citizen locked out' },
  });

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  await fleet.staff.create(
    { username: 'it-ieper', display: 'IT', password, role: 'it', municipalities: ['ieper'] },
    'test',
  );
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.ready();
  const login = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username: 'it-ieper', password },
  });
  session = {
    cookie: String(login.headers['set-cookie']).split(';')[0]!,
    'x-csrf-token': login.json().csrfToken,
  };
});

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('commands while the broker is down', () => {
  it('a command the broker accepted is recorded and audited', async () => {
    const sent = await command('open');
    expect(sent.statusCode, sent.body).toBe(200);
    expect(fleet.store.lockers.command(sent.json().requestId)).toMatchObject({
      lockerId: 'ieper-1',
      ok: null,
    });
    expect(commandRows()).toBe(1);
    expect(lockerAudits()).toBe(1);
  });

  it('with the broker stopped, open, disable and enable answer 503 BROKER_UNAVAILABLE and write no row', async () => {
    await fleet.broker!.stop();
    await until(() => !fleet.link.connected, 'the fleet to see the broker gone');
    for (const type of ['open', 'disable', 'enable'] as const) {
      const refused = await command(type);
      expect(refused.statusCode, `${type}: ${refused.body}`).toBe(503);
      expect(refused.json().error.code).toBe('BROKER_UNAVAILABLE');
    }
    expect(commandRows()).toBe(1);
    expect(lockerAudits()).toBe(1);
  });
});
