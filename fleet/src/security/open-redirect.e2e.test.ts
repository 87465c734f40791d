import type { AddressInfo } from 'node:net';
import { launchChromium } from '@locker/test-kit/browser';
import { createTestFleet } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';

/**
 * The attack of issue 10.7: a link to our sign-in page whose `next` sends the browser to another
 * origin once the staff member has signed in. Requests to any other origin are aborted before
 * they leave Chromium and recorded: none may be made.
 */
const password = 'a long enough password';
let fleet: Fleet;
let app: FastifyInstance;
let browser: Browser;
let base = '';
const foreignRequests: string[] = [];

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await fleet.staff.create(
    { username: 'clerk', display: 'Clerk', password, role: 'desk', municipalities: ['*'] },
    'test',
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await fleet?.stop();
});

/** Signs in on /login?next=… as a person would, in a fresh browser context, and returns where the page ends up. */
async function signInWith(next: string): Promise<string> {
  foreignRequests.length = 0;
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === base) return route.continue();
    foreignRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  try {
    await page.goto(`${base}/login?next=${next}`);
    await page.fill('#username', 'clerk');
    await page.fill('#password', password);
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 });
    await page.waitForLoadState('domcontentloaded');
    return page.url();
  } finally {
    await context.close();
  }
}

describe('attack: open redirect after signing in (Chromium)', () => {
  it.each([
    '/%5Cevil.example',
    '%5C%5Cevil.example',
    '/%09/evil.example',
    '/%0A/evil.example',
    '//evil.example',
    'https://evil.example/desk',
    '/.//evil.example',
  ])('next=%s stays on our origin and lands on the desk page', async (next) => {
    const landed = await signInWith(next);
    expect(foreignRequests).toEqual([]);
    expect(landed).toBe(`${base}/desk`);
  });

  it('a path on our origin is where the page goes', async () => {
    expect(await signInWith(encodeURIComponent('/dashboard?from=mail'))).toBe(`${base}/dashboard?from=mail`);
    expect(foreignRequests).toEqual([]);
  });
});
