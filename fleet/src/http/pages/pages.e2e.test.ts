import type { AddressInfo } from 'node:net';
import { launchChromium, seriousViolations } from '@locker/test-kit/browser';
import { createTestFleet, inSync, startLockerAt, until } from '@locker/test-kit/fleet';
import type { LockerRig } from '@locker/test-kit/locker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../fleet.ts';
import { buildApp } from '../app.ts';

const lockerId = 'ieper-stadhuis-1';
const password = 'a long enough password';
const staffPin = '9753197531';
let fleet: Fleet;
let app: FastifyInstance;
let rig: LockerRig;
let browser: Browser;
let desk: Page;
let dashboard: Page;
let base = '';

async function signIn(page: Page, username: string, next: string): Promise<void> {
  await page.goto(`${base}/login?next=${next}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(new RegExp(`${next}$`));
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
}

/** Staff loads the next reservation at the locker; returns the compartment. */
async function load(): Promise<number> {
  await until(() => inSync(fleet, lockerId), 'locker in sync');
  await rig.simulator.input('keypad', staffPin);
  await rig.untilScreen('staff');
  const opened = (await (await fetch(`${rig.kioskUrl}/api/staff/load_next`, { method: 'POST' })).json()) as {
    params: { compartment: number };
  };
  const n = opened.params.compartment;
  rig.act(n, 'put-item');
  rig.act(n, 'close');
  await rig.untilScreen('staff');
  await fetch(`${rig.kioskUrl}/api/staff/end`, { method: 'POST' });
  return n;
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  fleet.directory.add('ieper', 'Ieper', 'test');
  rig = await startLockerAt(fleet, lockerId, 'ieper');
  const clerk = await fleet.staff.create(
    { username: 'clerk', display: 'Clerk', password, role: 'desk', municipalities: ['ieper'] },
    'test',
  );
  await fleet.staff.create(
    { username: 'it', display: 'IT', password, role: 'it', municipalities: ['ieper'] },
    'test',
  );
  fleet.staff.setLockerPin(clerk.id, staffPin, 'test');
  browser = await launchChromium();
  desk = await (await browser.newContext({ bypassCSP: true })).newPage();
  dashboard = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(desk, 'clerk', '/desk');
  await signIn(dashboard, 'it', '/dashboard');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  await app?.close();
  await fleet?.stop();
});

describe('desk and IT pages in Chromium (in-process fleet, real locker)', () => {
  it('the desk shows each locker’s work; resend gives new codes, the letter prints them, cancel asks why', async () => {
    const made = fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'An Claes', email: 'an@example.be', language: 'nl', channel: 'email' },
      },
      'clerk',
    );
    await load();
    await until(() => fleet.reservations.get(made.id).state === 'loaded', 'loaded');
    await desk.reload();
    const row = desk.locator(`tr[data-reservation="${made.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('loaded');
    const qrBefore = fleet.reservations.get(made.id).qrHash;
    desk.once('dialog', (dialog) => void dialog.accept()); // "the codes he has stop working"
    await row.getByRole('button', { name: 'Opnieuw sturen' }).click();
    await desk.waitForFunction(() =>
      /Nieuwe codes/.test(document.getElementById('status')?.textContent ?? ''),
    );
    expect(fleet.reservations.get(made.id).qrHash).not.toBe(qrBefore);

    desk.once('dialog', (dialog) => void dialog.accept());
    const [letter] = await Promise.all([
      desk.waitForEvent('popup'),
      row.getByRole('button', { name: 'Brief afdrukken' }).click(),
    ]);
    await letter.waitForFunction(() => document.querySelector('.qr svg') !== null);
    expect(await letter.locator('.code').first().textContent()).toMatch(/^\d{8}$/);
    await letter.close();

    desk.once('dialog', (dialog) => void dialog.accept('burger belde af'));
    await row.getByRole('button', { name: 'Annuleren' }).click();
    await until(() => fleet.reservations.get(made.id).state === 'cancelled', 'cancelled');
    expect(await seriousViolations(desk)).toEqual([]);
  });

  it('the dashboard opens a door remotely with a reason, disables a compartment, and acknowledges an alarm', async () => {
    await dashboard.reload();
    await dashboard.waitForSelector(`[data-locker="${lockerId}"] .online`);
    const cell = (n: number) => dashboard.locator(`[data-locker="${lockerId}"] [data-compartment="${n}"]`);
    const unlocks = rig.door(20).unlockCount;
    dashboard.once('dialog', (dialog) => void dialog.accept('citizen called: card stuck'));
    await cell(20).getByRole('button', { name: 'Open' }).click();
    await rig.untilDoor(20, true);
    expect(rig.door(20).unlockCount).toBe(unlocks + 1);
    rig.act(20, 'close');
    // the audit row is written when the broker acknowledges the command, which may come after the locker has it
    await until(
      () =>
        fleet.store.audit
          .list({ municipalities: ['ieper'], limit: 20 })
          .some((a) => a.action === 'locker.open' && a.data.reason === 'citizen called: card stuck'),
      'remote opening audited',
    );

    dashboard.once('dialog', (dialog) => void dialog.accept('lock broken'));
    await cell(21).getByRole('button', { name: 'Uit dienst' }).click();
    await dashboard.waitForSelector(
      `[data-locker="${lockerId}"] [data-compartment="21"][data-state="disabled"]`,
      { timeout: 10_000 },
    );

    rig.act(22, 'force');
    const alarm = dashboard.locator('.alarm', { hasText: 'door_forced' });
    await alarm.waitFor({ timeout: 10_000 });
    expect(await seriousViolations(dashboard)).toEqual([]);
    await alarm.getByRole('button', { name: 'Gezien' }).click();
    await alarm.waitFor({ state: 'detached', timeout: 10_000 });
    rig.act(22, 'close');
  });
});
