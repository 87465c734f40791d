import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

/** Issue 10.10: asset names were looked up on a plain object, so `/assets/__proto__` found Object.prototype. */
let fleet: Fleet;
let app: FastifyInstance;

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.open();
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('attack: asking for inherited names under /assets', () => {
  it.each([
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '..%2fauth.ts',
    '..%2f..%2fpackage.json',
  ])('/assets/%s is 404', async (name) => {
    const response = await app.inject(`/assets/${name}`);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });

  it('a real asset is still served', async () => {
    const response = await app.inject('/assets/login.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
  });
});
