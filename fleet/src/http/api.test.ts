import { randomUUID } from 'node:crypto';
import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from './app.ts';

let fleet: Fleet;
let app: FastifyInstance;
const password = 'a long enough password';

interface Session {
  cookie: string;
  csrf: string;
}

async function login(username: string): Promise<Session> {
  const response = await app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  expect(response.statusCode, response.body).toBe(200);
  return { cookie: String(response.headers['set-cookie']).split(';')[0]!, csrf: response.json().csrfToken };
}

function as(session: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return app.inject({
    method,
    url,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

const newReservation = (lockerId: string) => ({
  lockerId,
  itemType: 'hall_key',
  citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
});

/** Every documented route that needs a sign-in, from the OpenAPI document. */
function signedInRoutes(): { method: string; url: string; body: boolean }[] {
  const paths = app.swagger().paths as Record<
    string,
    Record<string, { security?: unknown[]; requestBody?: unknown }>
  >;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, operation]) => operation.security?.length !== 0)
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, ':$1'),
        body: operation.requestBody !== undefined,
      })),
  );
}

let adminS: Session;
let ieperDesk: Session;
let popDesk: Session;
let ieperReservation: { id: string };

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
  for (const [id, name] of [
    ['ieper', 'Ieper'],
    ['poperinge', 'Poperinge'],
  ] as const)
    fleet.store.directory.upsertMunicipality(id, name);
  fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  fleet.registry.provision(
    { id: 'poperinge-1', municipalityId: 'poperinge', siteId: null, name: 'Bib' },
    'test',
  );
  await fleet.staff.create(
    { username: 'admin', display: 'Admin', password, role: 'admin', municipalities: ['*'] },
    'test',
  );
  await fleet.staff.create(
    { username: 'desk-ieper', display: 'Desk Ieper', password, role: 'desk', municipalities: ['ieper'] },
    'test',
  );
  await fleet.staff.create(
    { username: 'desk-pop', display: 'Desk Pop', password, role: 'desk', municipalities: ['poperinge'] },
    'test',
  );
  adminS = await login('admin');
  ieperDesk = await login('desk-ieper');
  popDesk = await login('desk-pop');
  ieperReservation = (await as(ieperDesk, 'POST', '/api/reservations', newReservation('ieper-1'))).json();
}, 30_000);

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('fleet HTTP API (fastify inject, real store and broker)', () => {
  it('a desk clerk creates a reservation at a locker of their municipality; the answer carries no code hashes', async () => {
    const response = await as(ieperDesk, 'POST', '/api/reservations', newReservation('ieper-1'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      state: 'ready_to_load',
      lockerId: 'ieper-1',
      municipalityId: 'ieper',
    });
    expect(response.body).not.toMatch(/Hash/);
    const audit = fleet.store.audit.list({ municipalities: ['ieper'], limit: 5 });
    expect(audit.some((a) => a.action === 'reservation.create' && a.target === response.json().id)).toBe(
      true,
    );
  });

  it('bad bodies get 400 with a stable code naming the field, and change nothing', async () => {
    const before = fleet.store.reservations.count();
    const response = await as(ieperDesk, 'POST', '/api/reservations', {
      ...newReservation('ieper-1'),
      citizen: { name: 'X', phone: '0470' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
    expect(response.json().error.message).toMatch(/body\.citizen\.name/);
    expect(response.json().error.message).toMatch(/body\.citizen\.phone: international format/);
    const twoFactor = await as(ieperDesk, 'POST', '/api/reservations', {
      ...newReservation('ieper-1'),
      itemType: 'passport',
    });
    expect(twoFactor.json().error.code).toBe('SECOND_CHANNEL_MISSING');
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/reservations',
      headers: {
        cookie: ieperDesk.cookie,
        'x-csrf-token': ieperDesk.csrf,
        'content-type': 'application/json',
      },
      payload: '{oops',
    });
    expect(notJson.statusCode).toBe(400);
    expect(fleet.store.reservations.count()).toBe(before);
  });

  it('a changing request without the session’s CSRF token is refused', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/reservations',
      headers: { cookie: ieperDesk.cookie },
      payload: newReservation('ieper-1'),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CSRF_FAILED');
  });

  it('a desk clerk of Poperinge never sees Ieper’s reservations, lockers or anything else, through any route', async () => {
    const list = (await as(popDesk, 'GET', '/api/reservations')).json() as { municipalityId: string }[];
    expect(list.every((r) => r.municipalityId === 'poperinge')).toBe(true);
    expect(((await as(popDesk, 'GET', '/api/lockers')).json() as { id: string }[]).map((l) => l.id)).toEqual([
      'poperinge-1',
    ]);
    expect((await as(popDesk, 'POST', '/api/reservations', newReservation('ieper-1'))).statusCode).toBe(404);
  });

  it('every route, called by Poperinge staff (desk and a Poperinge administrator) with a valid body on Ieper’s things, answers 403 or 404 or shows nothing of Ieper, and changes nothing', async () => {
    await fleet.staff.create(
      { username: 'admin-pop', display: 'Admin Pop', password, role: 'admin', municipalities: ['poperinge'] },
      'test',
    );
    const popAdmin = await login('admin-pop');
    // one of each thing of Ieper's that a route names by id
    const command = (
      await as(adminS, 'POST', '/api/lockers/ieper-1/commands', {
        type: 'disable',
        compartment: 2,
        reason: 'set-up',
      })
    ).json() as { requestId: string };
    const token = (
      await as(adminS, 'POST', '/api/tokens', {
        name: 'ieper-probe',
        role: 'desk',
        municipalities: ['ieper'],
      })
    ).json() as { id: string };
    const alarmId = randomUUID();
    fleet.reservations.applyEvent({
      v: 1,
      id: alarmId,
      seq: 1,
      lockerId: 'ieper-1',
      type: 'alarm',
      at: new Date().toISOString(),
      compartment: 3,
      data: { code: 'door_forced' },
    });
    const ieperDeskUser = fleet.store.users.byUsername('desk-ieper')!.id;
    const ids: Record<string, string> = {
      '/api/reservations/:id': ieperReservation.id,
      '/api/item-types/:id': 'hall_key',
      '/api/lockers/:id': 'ieper-1',
      '/api/commands/:requestId': command.requestId,
      '/api/alarms/:id': alarmId,
      '/api/users/:id': ieperDeskUser,
      '/api/tokens/:id': token.id,
      '/api/municipalities/:id': 'ieper',
      // rollouts span municipalities: the scope check is that only an admin of every one may act
      '/api/rollouts/:id': 'any-rollout',
    };
    const reason = { reason: 'probing the scope' };
    /** A body each route accepts, so that it is the scope check that answers, never validation. */
    const bodies: Record<string, unknown> = {
      'POST /api/reservations': newReservation('ieper-1'),
      'POST /api/reservations/:id/cancel': reason,
      'PUT /api/item-types/:id': {
        id: 'hall_key',
        names: { nl: 'zaalsleutel', fr: 'clé de salle', en: 'hall key', de: 'Saalschlüssel' },
        kind: 'loan',
        twoFactor: false,
        daysToCollect: 7,
        daysToReturn: 3,
        size: 'S',
      },
      'POST /api/lockers': { id: 'ieper-2', municipalityId: 'ieper', siteId: null, name: 'Bib Ieper' },
      'POST /api/lockers/:id/decommission': reason,
      'POST /api/lockers/:id/commands': { type: 'open', compartment: 1, reason: 'probing the scope' },
      'POST /api/users': {
        username: 'probe-user',
        display: 'Probe',
        password,
        role: 'desk',
        municipalities: ['ieper'],
      },
      'POST /api/users/:id/locker-pin': { pin: '7391046285' },
      'POST /api/users/:id/disable': reason,
      'POST /api/tokens': { name: 'probe-token', role: 'desk', municipalities: ['ieper'] },
      'POST /api/tokens/:id/revoke': reason,
      'POST /api/rollouts': { version: '9.9.9', target: { municipality: 'ieper' } },
    };
    const probed: string[] = [];
    // the live stream never ends; its scope is the dashboard's page test
    for (const spec of signedInRoutes().filter((r) => r.url !== '/api/live')) {
      const key = `${spec.method} ${spec.url}`;
      if (spec.body) expect(bodies[key], `a valid body for ${key}`).toBeDefined();
      const url = spec.url
        // releases belong to no municipality: only an admin of every one may touch them
        .replace(':version', '9.9.9')
        .replace(/^(\/api\/[a-z-]+\/:[A-Za-z]+)/, (prefix) => {
          const id = ids[prefix];
          expect(id, `an Ieper id for ${prefix}`).toBeDefined();
          return prefix.replace(/:[A-Za-z]+$/, id!);
        });
      for (const [who, session] of [
        ['desk', popDesk],
        ['admin', popAdmin],
      ] as const) {
        const response = await as(session, spec.method as 'GET' | 'POST' | 'PUT', url, bodies[key]);
        const what = `${who} of Poperinge: ${spec.method} ${url} → ${response.statusCode} ${response.body.slice(0, 200)}`;
        probed.push(what);
        if (response.statusCode === 200) {
          expect(response.body, what).not.toContain(ieperReservation.id);
          expect(response.body, what).not.toContain('ieper-1');
          expect(response.body, what).not.toContain('"ieper"');
        } else expect([403, 404], what).toContain(response.statusCode);
      }
    }
    expect(probed.length).toBeGreaterThan(40);
    expect(fleet.reservations.get(ieperReservation.id).state).toBe('ready_to_load');
    expect(fleet.store.lockers.get('ieper-1')?.decommissionedAt).toBeNull();
    expect(fleet.store.lockers.get('ieper-2')).toBeUndefined();
    expect(fleet.store.lockers.alarm(alarmId)?.acknowledgedBy).toBeNull();
    expect(fleet.store.users.token(token.id)?.revokedAt).toBeNull();
    expect(fleet.store.users.byUsername('probe-user')).toBeUndefined();
  });

  it('roles: a desk clerk cannot open doors, read the audit log or create users', async () => {
    expect(
      (
        await as(ieperDesk, 'POST', '/api/lockers/ieper-1/commands', {
          type: 'open',
          compartment: 1,
          reason: 'test',
        })
      ).json().error.code,
    ).toBe('ROLE_FORBIDDEN');
    expect((await as(ieperDesk, 'GET', '/api/audit')).statusCode).toBe(403);
    expect(
      (
        await as(ieperDesk, 'POST', '/api/users', {
          username: 'x',
          display: 'x',
          password,
          role: 'admin',
          municipalities: ['*'],
        })
      ).statusCode,
    ).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/reservations' })).json().error.code).toBe(
      'AUTH_REQUIRED',
    );
  });

  it('bad passwords are rate limited per user name: past five failures even the right password waits', async () => {
    await fleet.staff.create(
      { username: 'victim', display: 'V', password, role: 'desk', municipalities: ['ieper'] },
      'test',
    );
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { username: 'victim', password: `wrong-${i}` },
      });
      expect(r.json().error.code).toBe('LOGIN_FAILED');
    }
    const blocked = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'victim', password },
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      fleet.store.audit.list({ municipalities: 'all', limit: 20 }).filter((a) => a.action === 'login.failed')
        .length,
    ).toBeGreaterThanOrEqual(5);
  });

  it('an admin hands out an API token scoped to a municipality; integrations use it as a bearer token', async () => {
    const created = await as(adminS, 'POST', '/api/tokens', {
      name: 'ieper-crm',
      role: 'desk',
      municipalities: ['ieper'],
    });
    const { token } = created.json() as { token: string };
    expect(token).toMatch(/^lkt_/);
    const bearer = { authorization: `Bearer ${token}` };
    const made = await app.inject({
      method: 'POST',
      url: '/api/reservations',
      headers: bearer,
      payload: newReservation('ieper-1'),
    });
    expect(made.statusCode).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/reservations',
          headers: bearer,
          payload: newReservation('poperinge-1'),
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/reservations',
          headers: { authorization: 'Bearer lkt_forged' },
        })
      ).statusCode,
    ).toBe(401);
    const desk = await as(ieperDesk, 'POST', '/api/tokens', {
      name: 'sneaky',
      role: 'admin',
      municipalities: ['*'],
    });
    expect(desk.statusCode).toBe(403);
  });

  it('an administrator changes an item type’s policy; the change is audited and a bad policy is refused', async () => {
    const sign = {
      id: 'no_parking_sign',
      names: { nl: 'parkeerverbodsbord', fr: 'panneau', en: 'no-parking sign', de: 'Schild' },
      kind: 'loan',
      twoFactor: false,
      daysToCollect: 5,
      daysToReturn: 10,
      size: 'XL',
    };
    expect((await as(adminS, 'PUT', '/api/item-types/no_parking_sign', sign)).statusCode).toBe(200);
    expect(fleet.store.directory.itemType('no_parking_sign')).toMatchObject({
      daysToCollect: 5,
      daysToReturn: 10,
    });
    const bad = await as(adminS, 'PUT', '/api/item-types/no_parking_sign', { ...sign, daysToReturn: null });
    expect(bad.json().error.message).toMatch(/daysToReturn: loans need daysToReturn/);
    expect((await as(ieperDesk, 'PUT', '/api/item-types/no_parking_sign', sign)).statusCode).toBe(403);
    expect(
      fleet.store.audit.list({ municipalities: 'all', limit: 10 }).some((a) => a.action === 'item_type.put'),
    ).toBe(true);
  });

  it('serves /healthz, Prometheus /metrics and the OpenAPI description at /docs', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      ok: true,
      broker: 'connected',
      auditIntact: true,
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^fleet_lockers 2$/m);
    expect(metrics).toMatch(/^fleet_audit_intact 1$/m);
    expect(metrics).toMatch(/^# TYPE fleet_events_applied_total counter$/m);
    const doc = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(
      doc.paths['/api/reservations'].post.requestBody.content['application/json'].schema.properties.citizen,
    ).toBeDefined();
    expect((await app.inject({ method: 'GET', url: '/docs' })).body).toContain('/api/lockers/{id}/commands');
  });

  it('logout ends the session', async () => {
    const s = await login('desk-pop');
    expect((await as(s, 'POST', '/api/logout')).statusCode).toBe(200);
    expect((await as(s, 'GET', '/api/me')).statusCode).toBe(401);
  });
});
