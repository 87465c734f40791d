import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

/**
 * The attack of issue 10.6: 40 wrong passwords sent at once, then the right one. The limit used
 * to be checked before the scrypt `await` and counted after it, so all 40 were hashed and the
 * right password logged in. Behind the reverse proxy every client had the proxy's address.
 */
const password = 'the right password, long enough';
let fleet: Fleet;
const apps: FastifyInstance[] = [];

async function app(
  options: { trustedProxies?: string[]; perAddress?: number } = {},
): Promise<FastifyInstance> {
  const built = buildApp({
    ...fleet.httpServices(),
    logger: pino({ level: 'silent' }),
    secureCookies: false,
    loginLimits: { perUser: 5, perAddress: options.perAddress ?? 50, windowMs: 60_000 },
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
  });
  apps.push(built);
  await built.ready();
  return built;
}

const passwordChecks = async (http: FastifyInstance) =>
  Number(/^fleet_login_password_checks_total (\d+)$/m.exec((await http.inject('/metrics')).body)?.[1]);

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.open();
  for (const username of ['desk.ieper', 'desk.poperinge'])
    await fleet.staff.create(
      { username, display: username, password, role: 'desk', municipalities: ['*'] },
      'test',
    );
});

afterAll(async () => {
  for (const built of apps) await built.close();
  await fleet?.stop();
});

describe('attack: guessing a staff password with concurrent logins', () => {
  it('40 concurrent wrong passwords hash at most the limit, and the right one after them is refused', async () => {
    const http = await app();
    const login = (pw: string) =>
      http.inject({ method: 'POST', url: '/api/login', payload: { username: 'desk.ieper', password: pw } });
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`guess ${i}`)));
    const statuses = burst.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const right = await login(password);
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe('LOGIN_RATE_LIMITED');
    expect(await passwordChecks(http)).toBeLessThanOrEqual(5);
  });

  it('behind a trusted proxy the per-address limit counts each client, not the proxy', async () => {
    const http = await app({ trustedProxies: ['127.0.0.1'], perAddress: 3 });
    const login = (username: string, client: string) =>
      http.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: { username, password: 'wrong' },
      });
    for (let i = 0; i < 3; i++) expect((await login(`guess${i}`, '203.0.113.7')).statusCode).toBe(401);
    expect((await login('guess3', '203.0.113.7')).statusCode).toBe(429);
    // a desk behind the same proxy is not locked out by the guesser
    const desk = await http.inject({
      method: 'POST',
      url: '/api/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.20' },
      payload: { username: 'desk.poperinge', password },
    });
    expect(desk.statusCode).toBe(200);
  });

  it('an untrusted sender cannot dodge the per-address limit with X-Forwarded-For', async () => {
    const http = await app({ trustedProxies: ['127.0.0.1'], perAddress: 3 });
    const login = (i: number) =>
      http.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: '192.0.2.50',
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        payload: { username: `nobody${i}`, password: 'wrong' },
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
