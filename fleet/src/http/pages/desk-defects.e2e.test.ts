import type { AddressInfo } from 'node:net';
import { launchChromium } from '@locker/test-kit/browser';
import { createTestFleet, inSync, startLockerAt, until } from '@locker/test-kit/fleet';
import type { LockerRig } from '@locker/test-kit/locker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../../fleet.ts';
import { buildApp } from '../app.ts';

const lockerId = 'poperinge-bib-1';
const password = 'a long enough password';
const staffPin = '8642086420';
let fleet: Fleet;
let app: FastifyInstance;
let rig: LockerRig;
let browser: Browser;
let desk: Page;
let base = '';

/** Staff loads the next reservation at the locker (as in pages.e2e); returns the compartment. */
async function loadNext(): Promise<number> {
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

/** Cancels the locker's other reservations waiting to be loaded, so that the next load takes `id`. */
function onlyOneToLoad(id: string): void {
  for (const r of fleet.store.reservations.list({
    municipalities: 'all',
    lockerId,
    states: ['ready_to_load'],
    limit: 1000,
  }))
    if (r.id !== id) fleet.reservations.cancel(r.id, 'test', 'not this test');
}

const named = (name: string) =>
  fleet.store.reservations.list({ municipalities: 'all', limit: 1000 }).filter((r) => r.citizenName === name);

/** Counts the page's POSTs to /api/reservations and their answers. */
function trackCreates(page: Page): { sent: number; answered: number } {
  const creates = { sent: 0, answered: 0 };
  const isCreate = (method: string, url: string) =>
    method === 'POST' && new URL(url).pathname === '/api/reservations';
  page.on('request', (r) => {
    if (isCreate(r.method(), r.url())) creates.sent += 1;
  });
  const answered = (r: { method(): string; url(): string }) => {
    if (isCreate(r.method(), r.url())) creates.answered += 1;
  };
  page.on('requestfinished', answered);
  page.on('requestfailed', answered);
  return creates;
}

/** Holds the page's POSTs to /api/reservations (a slow server) until `release()`. */
async function holdCreates(page: Page): Promise<{ release: () => Promise<void> }> {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const matches = (url: URL) => url.pathname === '/api/reservations';
  await page.route(matches, async (route) => {
    if (route.request().method() === 'POST') await gate;
    await route.continue();
  });
  return {
    release: async () => {
      open();
      // lets the held requests go on before the handlers go
      await page.unrouteAll({ behavior: 'wait' });
    },
  };
}

async function fillNewReservation(name: string, itemType = 'hall_key'): Promise<void> {
  await desk.goto(`${base}/desk`);
  await desk.waitForSelector('body[data-ready]', { state: 'attached' });
  await desk.fill('#name', name);
  await desk.fill('#email', 'burger@example.be');
  await desk.selectOption('#channel', 'email');
  await desk.selectOption('#itemType', itemType);
  await desk.selectOption('#locker', lockerId);
}

async function statusSays(pattern: RegExp): Promise<void> {
  await desk.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById('status')?.textContent ?? ''),
    pattern.source,
  );
}

beforeAll(async () => {
  // no channel is configured; a message is given up after its first failed attempt
  fleet = createTestFleet({ notify: { retry: { maxAttempts: 1 } } });
  await fleet.start();
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  fleet.directory.add('poperinge', 'Poperinge', 'test');
  rig = await startLockerAt(fleet, lockerId, 'poperinge');
  const clerk = await fleet.staff.create(
    { username: 'clerk', display: 'Clerk', password, role: 'desk', municipalities: ['poperinge'] },
    'test',
  );
  fleet.staff.setLockerPin(clerk.id, staffPin, 'test');
  browser = await launchChromium();
  desk = await (await browser.newContext()).newPage();
  await desk.goto(`${base}/login?next=/desk`);
  await desk.fill('#username', 'clerk');
  await desk.fill('#password', password);
  await desk.click('button[type="submit"]');
  await desk.waitForURL((url) => url.pathname === '/desk');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  await app?.close();
  await fleet?.stop();
});

describe('desk defects (issue 12) in Chromium', () => {
  it('a double click on "Reservatie maken" makes one reservation, loaded once and messaged once', async () => {
    await fillNewReservation('Dubbel Klik');
    const creates = trackCreates(desk);
    const slow = await holdCreates(desk);
    await desk.dblclick('#create button[type="submit"]');
    await slow.release();
    await statusSays(/Reservatie .+ gemaakt/);
    await until(() => creates.sent > 0 && creates.answered === creates.sent, 'every create answered');
    const made = named('Dubbel Klik');
    expect(made).toHaveLength(1);

    const [reservation] = made;
    if (!reservation) throw new Error('no reservation');
    onlyOneToLoad(reservation.id);
    await loadNext();
    await until(() => fleet.reservations.get(reservation.id).state !== 'ready_to_load', 'loaded');
    await until(() => fleet.store.notifications.forReservation(reservation.id).length > 0, 'message queued');
    expect(fleet.store.notifications.forReservation(reservation.id)).toHaveLength(1);
    expect(named('Dubbel Klik').filter((r) => r.state === 'ready_to_load')).toHaveLength(0);
  });

  it('Enter twice in the form makes one reservation', async () => {
    await fillNewReservation('Twee Keer Enter');
    const creates = trackCreates(desk);
    const slow = await holdCreates(desk);
    await desk.press('#name', 'Enter');
    await desk.press('#name', 'Enter');
    await slow.release();
    await statusSays(/Reservatie .+ gemaakt/);
    await until(() => creates.sent > 0 && creates.answered === creates.sent, 'every create answered');
    expect(named('Twee Keer Enter')).toHaveLength(1);
  });

  it('the API answers the same Idempotency-Key with the same reservation, and another body with 409', async () => {
    await desk.goto(`${base}/desk`);
    await desk.waitForSelector('body[data-ready]', { state: 'attached' });
    const answers = await desk.evaluate(async (locker) => {
      const { csrfToken } = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const post = (name: string) =>
        fetch('/api/reservations', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-csrf-token': csrfToken,
            'idempotency-key': 'key-0123456789',
          },
          body: JSON.stringify({
            lockerId: locker,
            itemType: 'hall_key',
            citizen: { name, email: 'burger@example.be', channel: 'email' },
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { id?: string; error?: { code: string } },
        }));
      const [first, second] = await Promise.all([post('Zelfde Sleutel'), post('Zelfde Sleutel')]);
      const other = await post('Andere Naam');
      return { first, second, other };
    }, lockerId);
    expect(answers.first.status).toBe(200);
    expect(answers.second.body.id).toBe(answers.first.body.id);
    expect(answers.other).toMatchObject({ status: 409, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(named('Zelfde Sleutel')).toHaveLength(1);
    expect(named('Andere Naam')).toHaveLength(0);
  });

  it('refuses an item that fits no compartment of the locker, saying why in Dutch', async () => {
    // the rig's locker has S, M and L compartments; a no-parking sign is XL
    await until(
      () => fleet.store.lockers.compartments(lockerId).some((c) => c.size),
      'compartment sizes known',
    );
    await fillNewReservation('Te Groot', 'no_parking_sign');
    await desk.click('#create button[type="submit"]');
    await statusSays(/past in geen enkel vak/);
    expect(await desk.textContent('#status')).toBe(
      `Niet gelukt: een parkeerverbodsbord (maat XL) past in geen enkel vak van ${lockerId}. Kies een andere automaat.`,
    );
    expect(named('Te Groot')).toHaveLength(0);
  });

  it('resend and print letter ask first, saying the citizen’s codes stop working; no means nothing changes', async () => {
    const made = fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'Els Peeters', email: 'els@example.be', language: 'nl', channel: 'email' },
      },
      'clerk',
    );
    onlyOneToLoad(made.id);
    await loadNext();
    await until(() => fleet.reservations.get(made.id).state !== 'ready_to_load', 'loaded');
    await desk.goto(`${base}/desk`);
    const row = desk.locator(`tr[data-reservation="${made.id}"]`);
    await row.waitFor();
    const asked: string[] = [];
    const answer = (accept: boolean) =>
      desk.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void (accept ? dialog.accept() : dialog.dismiss());
      });
    const codes = () => {
      const { qrHash, pinHash } = fleet.reservations.get(made.id);
      return { qrHash, pinHash };
    };
    const before = codes();

    answer(false);
    await row.getByRole('button', { name: 'Opnieuw sturen' }).click();
    await until(() => asked.length === 1, 'asked before resending');
    expect(asked[0]).toBe(
      `Nieuwe codes sturen voor ${made.ref}? De burger krijgt een nieuwe PIN en QR-code; de codes die hij al kreeg, werken daarna niet meer.`,
    );
    answer(false);
    await row.getByRole('button', { name: 'Brief afdrukken' }).click();
    await until(() => asked.length === 2, 'asked before printing');
    expect(asked[1]).toBe(
      `Brief afdrukken voor ${made.ref}? De brief krijgt nieuwe codes; de codes die de burger al kreeg, werken daarna niet meer.`,
    );
    expect(codes()).toEqual(before);

    answer(true);
    await row.getByRole('button', { name: 'Opnieuw sturen' }).click();
    await statusSays(/Nieuwe codes/);
    expect(codes().qrHash).not.toBe(before.qrHash);
  });

  it('speaks Dutch on errors: a validation error names the field, a wrong password says so', async () => {
    await fillNewReservation('A');
    await desk.click('#create button[type="submit"]');
    await statusSays(/Niet gelukt/);
    expect(await desk.textContent('#status')).toBe('Niet gelukt: Kijk dit na: naam burger.');
    expect(named('A')).toHaveLength(0);

    const login = await (await browser.newContext()).newPage();
    await login.goto(`${base}/login?next=/desk`);
    await login.fill('#username', 'clerk');
    await login.fill('#password', 'not the password at all');
    await login.click('button[type="submit"]');
    await login.waitForFunction(() => (document.getElementById('status')?.textContent ?? '') !== '');
    expect(await login.textContent('#status')).toBe('Gebruikersnaam of wachtwoord klopt niet.');
    await login.context().close();
  });

  it('keeps the form through an expired session: the clerk signs in again and resubmits', async () => {
    await fillNewReservation('Sessie Verlopen');
    await desk.fill('#phone', '+32470123456');
    await desk.context().clearCookies(); // the session expired
    await desk.click('#create button[type="submit"]');
    await desk.waitForURL((url) => url.pathname === '/login');
    await desk.fill('#username', 'clerk');
    await desk.fill('#password', password);
    await desk.click('button[type="submit"]');
    await desk.waitForURL((url) => url.pathname === '/desk');
    await desk.waitForSelector('body[data-ready]', { state: 'attached' });
    expect(await desk.inputValue('#name')).toBe('Sessie Verlopen');
    expect(await desk.inputValue('#email')).toBe('burger@example.be');
    expect(await desk.inputValue('#phone')).toBe('+32470123456');
    expect(await desk.inputValue('#itemType')).toBe('hall_key');
    expect(await desk.inputValue('#locker')).toBe(lockerId);
    expect(await desk.textContent('#status')).toMatch(/formulier is bewaard/);
    expect(named('Sessie Verlopen')).toHaveLength(0);

    await desk.click('#create button[type="submit"]');
    await statusSays(/Reservatie .+ gemaakt/);
    expect(named('Sessie Verlopen')).toHaveLength(1);
  });

  it('shows each reservation’s message status: an SMS with no SMS channel is given up, with the reason', async () => {
    const made = fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'Sms Zonder Kanaal', phone: '+32470999888', language: 'nl', channel: 'sms' },
      },
      'clerk',
    );
    onlyOneToLoad(made.id);
    await loadNext();
    await until(
      () => fleet.store.notifications.forReservation(made.id).some((n) => n.state === 'failed'),
      'message given up',
    );
    await desk.goto(`${base}/desk`);
    const cell = desk.locator(`tr[data-reservation="${made.id}"] td.message`);
    await cell.waitFor();
    expect(await cell.textContent()).toBe('opgegeven na 1 poging via sms: geen sms-kanaal ingesteld');
    expect(await cell.getAttribute('data-message-state')).toBe('failed');
  });

  it('says before submit what the item and channel need: a driving licence needs a GSM number', async () => {
    await desk.goto(`${base}/desk`);
    await desk.waitForSelector('body[data-ready]', { state: 'attached' });
    await desk.selectOption('#channel', 'email');
    await desk.selectOption('#itemType', 'hall_key');
    expect(await desk.textContent('#needs')).toBe('Voor een bericht via e-mail is een e-mailadres nodig.');
    await desk.selectOption('#itemType', 'driving_licence');
    expect(await desk.textContent('#needs')).toBe(
      'Voor een rijbewijs is een gsm-nummer nodig: de PIN gaat per sms, de QR-code per e-mail of eBox (kies e-mail of eBox bij "Bericht via").',
    );
  });
});
