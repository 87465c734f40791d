import { createHash } from 'node:crypto';
import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

/**
 * Issue 10.10: /docs and the pickup letter (which carries a citizen's PIN and QR) were served
 * without a Content-Security-Policy: an injection there would run. Both now allow only their own
 * inline style (and the letter its print button's script) by hash.
 */
const password = 'a long enough password';
let fleet: Fleet;
let app: FastifyInstance;

/** Every inline <style> and <script> of `html` is allowed by `csp` by its hash, and nothing else may run. */
function expectOnlyOwnInlineBlocks(html: string, csp: string): void {
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  for (const [, kind, text] of html.matchAll(/<(style|script)>([^<]*)<\/\1>/g)) {
    const hash = `'sha256-${createHash('sha256').update(text!).digest('base64')}'`;
    expect(csp).toMatch(new RegExp(`${kind}-src [^;]*${hash.replace(/[+/]/g, '\\$&')}`));
  }
  expect(html).not.toMatch(/\son[a-z]+=/i);
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.open();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  await fleet.staff.create(
    { username: 'clerk', display: 'Clerk', password, role: 'desk', municipalities: ['ieper'] },
    'test',
  );
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await fleet?.stop();
});

describe('attack surface: pages without a content security policy', () => {
  it('/docs runs nothing but its own style', async () => {
    const docs = await app.inject('/docs');
    expect(docs.statusCode).toBe(200);
    expectOnlyOwnInlineBlocks(docs.body, String(docs.headers['content-security-policy']));
  });

  it('the pickup letter runs nothing but its own style and print button', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'clerk', password },
    });
    const session = {
      cookie: String(login.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': login.json().csrfToken as string,
    };
    const created = await app.inject({
      method: 'POST',
      url: '/api/reservations',
      headers: session,
      payload: {
        lockerId: 'ieper-1',
        itemType: 'hall_key',
        citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
      },
    });
    expect(created.statusCode, created.body).toBe(200);
    const { id } = created.json() as { id: string };
    // the locker reported it loaded (the letter is printed only while the item waits)
    fleet.store.reservations.update(id, { state: 'loaded', compartment: 1 }, new Date().toISOString());
    const letter = await app.inject({
      method: 'POST',
      url: `/api/reservations/${id}/letter`,
      headers: session,
    });
    expect(letter.statusCode, letter.body).toBe(200);
    expect(letter.body).toContain('<svg');
    expectOnlyOwnInlineBlocks(letter.body, String(letter.headers['content-security-policy']));
  });
});
