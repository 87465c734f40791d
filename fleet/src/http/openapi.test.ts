import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { errorCodes } from '../services/fleet-errors.ts';
import { buildApp } from './app.ts';

/** Issue 11: the OpenAPI document said "200 OK" for every route; error codes were free strings. */
let fleet: Fleet;
let app: FastifyInstance;

interface Operation {
  security?: unknown[];
  responses: Record<
    string,
    { description?: string; content?: { 'application/json': { schema: Record<string, unknown> } } }
  >;
}
type Paths = Record<string, Record<string, Operation>>;

const errorCodesOf = (operation: Operation | undefined, status: number) =>
  (
    operation?.responses[String(status)]?.content?.['application/json'].schema as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    }
  )?.properties.error.properties.code.enum;

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

describe('the OpenAPI document, generated from the routes’ zod schemas', () => {
  it('documents every route’s success body and each error status with its codes', async () => {
    const doc = (await app.inject('/docs/openapi.json')).json() as { openapi: string; paths: Paths };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(25);
    for (const { name, op } of operations) {
      expect(op.responses['200']?.content?.['application/json'].schema, name).toBeDefined();
      const errors = Object.keys(op.responses).filter((status) => status !== '200' && status !== '503');
      expect(errors.length, name).toBeGreaterThan(0);
      for (const status of errors)
        for (const code of errorCodesOf(op, Number(status)) ?? [])
          expect(errorCodes[code as keyof typeof errorCodes].status, `${name}: ${code}`).toBe(Number(status));
    }
  });

  it('names the codes a route answers: a remote open documents BROKER_UNAVAILABLE and its success body', async () => {
    const doc = (await app.inject('/docs/openapi.json')).json() as { paths: Paths };
    const command = doc.paths['/api/lockers/{id}/commands']?.post;
    expect(errorCodesOf(command, 503)).toEqual(['BROKER_UNAVAILABLE']);
    expect(errorCodesOf(command, 404)).toEqual(['NOT_FOUND']);
    expect(errorCodesOf(command, 403)).toEqual(expect.arrayContaining(['ROLE_FORBIDDEN', 'CSRF_FAILED']));
    expect(command?.responses['200']?.content?.['application/json'].schema).toMatchObject({
      properties: { requestId: { type: 'string' } },
    });
    const reservation = doc.paths['/api/reservations/{id}']?.get;
    expect(reservation?.responses['200']?.content?.['application/json'].schema).toMatchObject({
      properties: { state: { enum: expect.arrayContaining(['ready_to_load', 'picked_up']) } },
    });
    expect(JSON.stringify(reservation?.responses['200'])).not.toMatch(/pinHash|qrHash/);
  });
});

describe('errors on the wire come from the registry', () => {
  it('an unknown route, malformed JSON and a wrong media type answer {"error":{"code","message"}}', async () => {
    const unknown = await app.inject('/api/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('BAD_REQUEST');
    const media = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a&password=b',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('security headers (helmet)', () => {
  it('API answers run and frame nothing; the pages keep their own policy', async () => {
    const health = await app.inject('/healthz');
    expect(health.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(health.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(health.headers['x-frame-options']).toBe('DENY');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['referrer-policy']).toBe('no-referrer');
    expect(health.headers['strict-transport-security']).toBeUndefined();
    const desk = await app.inject('/desk');
    expect(desk.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(desk.headers['x-frame-options']).toBe('DENY');
  });
});
