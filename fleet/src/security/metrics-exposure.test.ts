import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

/**
 * Issue 10.10: /metrics told anyone on the internet, through the reverse proxy, how many lockers
 * are online and what fails. It now answers IT (session or API token) and a scraper on this machine.
 */
const password = 'a long enough password';
let fleet: Fleet;
let app: FastifyInstance;

const metrics = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress });

async function tokenFor(role: 'desk' | 'it'): Promise<string> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { username: 'root', password },
  });
  const created = await app.inject({
    method: 'POST',
    url: '/api/tokens',
    headers: {
      cookie: String(login.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': login.json().csrfToken,
    },
    payload: { name: `prometheus-${role}`, role, municipalities: ['*'] },
  });
  expect(created.statusCode, created.body).toBe(200);
  return (created.json() as { token: string }).token;
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.open();
  await fleet.staff.create(
    { username: 'root', display: 'Root', password, role: 'admin', municipalities: ['*'] },
    'test',
  );
  app = buildApp({
    ...fleet.httpServices(),
    logger: pino({ level: 'silent' }),
    secureCookies: false,
    trustedProxies: ['127.0.0.1'],
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('attack: reading /metrics from outside', () => {
  it('refuses a request from another address, and one forwarded by the reverse proxy', async () => {
    const direct = await metrics({}, '203.0.113.9');
    expect(direct.statusCode).toBe(403);
    expect(direct.json().error.code).toBe('METRICS_FORBIDDEN');
    expect(direct.body).not.toContain('fleet_lockers');
    expect((await metrics({ 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(403);
    expect((await metrics({ forwarded: 'for=203.0.113.9' })).statusCode).toBe(403);
  });

  it('refuses a desk token and answers an IT token through the proxy', async () => {
    const forwarded = { 'x-forwarded-for': '198.51.100.4' };
    const desk = await tokenFor('desk');
    expect((await metrics({ ...forwarded, authorization: `Bearer ${desk}` })).statusCode).toBe(403);
    const it = await tokenFor('it');
    const answered = await metrics({ ...forwarded, authorization: `Bearer ${it}` });
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toMatch(/^fleet_lockers \d+$/m);
  });

  it('answers a scraper on this machine that connects directly', async () => {
    expect((await metrics({})).statusCode).toBe(200);
  });
});
