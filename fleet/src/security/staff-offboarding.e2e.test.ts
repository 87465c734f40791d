import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

const password = 'a long enough password';
let fleet: Fleet;
let app: FastifyInstance;
interface Session {
  cookie: string;
  csrf: string;
}
let root: Session;
let popAdmin: Session;

const login = (username: string) =>
  app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });

async function session(username: string): Promise<Session> {
  const response = await login(username);
  expect(response.statusCode, response.body).toBe(200);
  return { cookie: String(response.headers['set-cookie']).split(';')[0]!, csrf: response.json().csrfToken };
}

const as = (s: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    ...(payload ? { payload } : {}),
  });

const withToken = (token: string) =>
  app.inject({ method: 'GET', url: '/api/lockers', headers: { authorization: `Bearer ${token}` } });

const auditActions = () => fleet.store.audit.list({ municipalities: 'all', limit: 100 }).map((a) => a.action);

async function createUser(username: string, role: 'desk' | 'admin', municipalities: string[]) {
  return fleet.staff.create({ username, display: username, password, role, municipalities }, 'test');
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  app = buildApp({
    ...fleet.httpServices(),
    logger: pino({ level: 'silent' }),
    secureCookies: false,
    loginLimits: { perUser: 20, perAddress: 200, windowMs: 60_000 },
  });
  await app.ready();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  fleet.store.directory.upsertMunicipality('poperinge', 'Poperinge');
  await createUser('root', 'admin', ['*']);
  await createUser('admin-pop', 'admin', ['poperinge']);
  root = await session('root');
  popAdmin = await session('admin-pop');
}, 30_000);

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('disabling a staff user (real HTTP through the app)', () => {
  it('ends their sessions and their API tokens at once, refuses their login with USER_DISABLED, audited; enable undoes it', async () => {
    const leaver = await createUser('admin-ieper', 'admin', ['ieper']);
    const theirSession = await session('admin-ieper');
    const created = await as(theirSession, 'POST', '/api/tokens', {
      name: 'their integration',
      role: 'desk',
      municipalities: ['ieper'],
    });
    const token = created.json().token as string;
    expect((await withToken(token)).statusCode).toBe(200);
    expect((await as(theirSession, 'GET', '/api/me')).statusCode).toBe(200);

    expect(
      (await as(popAdmin, 'POST', `/api/users/${leaver.id}/disable`, { reason: 'left' })).statusCode,
    ).toBe(404);
    expect(
      (await as(root, 'POST', `/api/users/${leaver.id}/disable`, {})).json().error.code,
      'a reason is required',
    ).toBe('VALIDATION_FAILED');
    const disabled = await as(root, 'POST', `/api/users/${leaver.id}/disable`, {
      reason: 'left the service',
    });
    expect(disabled.json(), disabled.body).toMatchObject({ sessionsEnded: 1 });

    const me = await as(theirSession, 'GET', '/api/me');
    expect([me.statusCode, me.json().error.code]).toEqual([401, 'AUTH_REQUIRED']);
    const byToken = await withToken(token);
    expect([byToken.statusCode, byToken.json().error.code]).toEqual([401, 'TOKEN_INVALID']);
    const refused = await login('admin-ieper');
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'USER_DISABLED']);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'admin-ieper', password: 'not the password' },
    });
    expect(wrong.json().error.code, 'a wrong password does not tell the account is disabled').toBe(
      'LOGIN_FAILED',
    );
    expect(auditActions()).toEqual(expect.arrayContaining(['user.disable', 'login.refused_disabled']));
    expect(
      fleet.store.audit.list({ municipalities: 'all', limit: 100 }).find((a) => a.action === 'user.disable'),
    ).toMatchObject({ target: leaver.id, data: { reason: 'left the service' } });

    const enabled = await as(root, 'POST', `/api/users/${leaver.id}/enable`);
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(auditActions()).toContain('user.enable');
    expect((await login('admin-ieper')).statusCode).toBe(200);
    expect((await withToken(token)).statusCode).toBe(200);
  });

  it('an admin cannot disable themselves', async () => {
    const me = (await as(root, 'GET', '/api/me')).json().id as string;
    const response = await as(root, 'POST', `/api/users/${me}/disable`, { reason: 'oops' });
    expect([response.statusCode, response.json().error.code]).toEqual([409, 'USER_IS_SELF']);
  });
});

describe('revoking API tokens (real HTTP through the app)', () => {
  it('lists tokens without their secret; a revoked token gets 401 from the next request on, audited; others keep working', async () => {
    const make = async (name: string, municipalities: string[]) =>
      (await as(root, 'POST', '/api/tokens', { name, role: 'it', municipalities })).json() as {
        id: string;
        token: string;
      };
    const ieper = await make('ieper export', ['ieper']);
    const pop = await make('poperinge export', ['poperinge']);

    const listed = (await as(root, 'GET', '/api/tokens')).json() as { id: string; revoked: boolean }[];
    expect(listed.map((t) => t.id)).toEqual(expect.arrayContaining([ieper.id, pop.id]));
    expect(JSON.stringify(listed)).not.toContain(ieper.token);
    const popList = (await as(popAdmin, 'GET', '/api/tokens')).json() as { id: string }[];
    expect(popList.map((t) => t.id)).toEqual([pop.id]);
    expect(
      (await as(popAdmin, 'POST', `/api/tokens/${ieper.id}/revoke`, { reason: 'not yours' })).statusCode,
    ).toBe(404);

    expect((await withToken(ieper.token)).statusCode).toBe(200);
    const revoked = await as(root, 'POST', `/api/tokens/${ieper.id}/revoke`, { reason: 'leaked in a log' });
    expect(revoked.json(), revoked.body).toMatchObject({
      id: ieper.id,
      revoked: true,
      revokedBy: expect.any(String),
    });
    const after = await withToken(ieper.token);
    expect([after.statusCode, after.json().error.code]).toEqual([401, 'TOKEN_INVALID']);
    expect((await withToken(pop.token)).statusCode).toBe(200);

    const again = await as(root, 'POST', `/api/tokens/${ieper.id}/revoke`, { reason: 'twice' });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'TOKEN_ALREADY_REVOKED']);
    expect(
      fleet.store.audit.list({ municipalities: 'all', limit: 100 }).find((a) => a.action === 'token.revoke'),
    ).toMatchObject({ target: ieper.id, data: { reason: 'leaked in a log' } });
    const relisted = (await as(root, 'GET', '/api/tokens')).json() as { id: string; revoked: boolean }[];
    expect(relisted.find((t) => t.id === ieper.id)?.revoked).toBe(true);
  });
});
