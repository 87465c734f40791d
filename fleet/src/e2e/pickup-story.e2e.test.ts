import { launchChromium, seriousViolations } from '@locker/test-kit/browser';
import { FleetProcess, freePort, MosquittoBroker, SmtpCapture } from '@locker/test-kit/fleet';
import { LockerRig } from '@locker/test-kit/locker';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQrPng } from '../demo/qr-decode.ts';

const lockerId = 'ieper-stadhuis-1';
const password = 'a long enough password';
const staffPin = '8642086421';

/**
 * The whole story with real processes: a desk clerk creates a reservation in the desk page
 * (Chromium) → staff loads it at the simulated locker (device process, simulator on ptys) → the
 * SMTP server receives the e-mail → the QR is decoded from its image by jsqr and shown at the
 * simulated scanner → the door opens → the IT dashboard (Chromium) shows the pickup live.
 * Once with the fleet's embedded broker, once with Mosquitto and the ACL the fleet generated.
 */
describe.each(['embedded', 'mosquitto'] as const)('the pickup story with the %s broker', (brokerKind) => {
  let smtp: SmtpCapture;
  let fleet: FleetProcess;
  let mosquitto: MosquittoBroker | undefined;
  let rig: LockerRig;
  let browser: Browser;
  let desk: Page;
  let dashboard: Page;
  let httpUrl = '';

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${httpUrl}/login`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/desk$/);
  }

  beforeAll(async () => {
    smtp = new SmtpCapture();
    await smtp.start();
    const smtpPort = smtp.port;
    const mqttPort = await freePort();
    fleet = new FleetProcess(
      `http: { host: 127.0.0.1, port: 0 }
mqtt: ${brokerKind === 'embedded' ? `{ broker: embedded, host: 127.0.0.1, port: ${mqttPort} }` : `{ broker: external, url: "mqtt://127.0.0.1:${mqttPort}" }`}
notify:
  pollMs: 200
  email: { host: 127.0.0.1, port: ${smtpPort}, secure: false, from: "Stad Ieper <loket@ieper.example>" }
`,
    );
    await fleet.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
    await fleet.admin(['add-municipality', '--id', 'poperinge', '--name', 'Poperinge']);
    const locker = JSON.parse(
      await fleet.admin([
        'provision-locker',
        '--id',
        lockerId,
        '--municipality',
        'ieper',
        '--name',
        'Stadhuis',
      ]),
    ) as { mqtt: { password: string }; codeKey: string };
    await fleet.admin(
      ['create-user', '--username', 'balie.ieper', '--role', 'desk', '--municipality', 'ieper'],
      { FLEET_NEW_USER_PASSWORD: password },
    );
    await fleet.admin(['create-user', '--username', 'it.westhoek', '--role', 'it', '--municipality', '*'], {
      FLEET_NEW_USER_PASSWORD: password,
    });
    if (brokerKind === 'mosquitto') {
      await fleet.admin(['mosquitto-files', '--out', fleet.dir]);
      mosquitto = new MosquittoBroker(fleet.dir, mqttPort);
      await mosquitto.start();
    }
    const ready = await fleet.serve();
    httpUrl = ready.httpUrl;
    rig = new LockerRig({
      fleet: {
        url: ready.brokerUrl,
        lockerId,
        municipality: 'ieper',
        password: locker.mqtt.password,
        codeKey: locker.codeKey,
      },
    });
    await rig.start();
    await rig.startDeviceProcess();
    browser = await launchChromium();
    // two people, two browsers' worth of cookies; the pages run under a strict CSP and axe-core is
    // injected as an inline script, so the test bypasses the CSP
    desk = await (await browser.newContext({ bypassCSP: true })).newPage();
    dashboard = await (await browser.newContext({ bypassCSP: true })).newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
    await fleet?.stop();
    await mosquitto?.stop();
    await smtp?.stop();
  });

  it('desk page → loaded at the locker → e-mail with QR → QR at the scanner → door opens → dashboard live', {
    timeout: 90_000,
  }, async () => {
    await signIn(desk, 'balie.ieper');
    // the clerk's own PIN for the lockers of Ieper, through the API with the session's CSRF token
    const pinSet = await desk.evaluate(async (pin) => {
      const me = await (await fetch('/api/me')).json();
      const r = await fetch(`/api/users/${me.id}/locker-pin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ pin }),
      });
      return r.json();
    }, staffPin);
    expect(pinSet).toEqual({ lockers: 1 });

    await signIn(dashboard, 'it.westhoek');
    await dashboard.goto(`${httpUrl}/dashboard`);
    await dashboard.waitForSelector(`[data-locker="${lockerId}"] .online`, { timeout: 15_000 });

    await desk.goto(`${httpUrl}/desk`);
    await desk.waitForSelector('#locker option', { state: 'attached' });
    await desk.fill('#name', 'Jan Peeters');
    await desk.fill('#email', 'jan.peeters@example.be');
    await desk.selectOption('#itemType', 'hall_key');
    await desk.selectOption('#locker', lockerId);
    await desk.click('#create button[type="submit"]');
    await desk.waitForFunction(() => /gemaakt/.test(document.getElementById('status')?.textContent ?? ''));
    expect(await seriousViolations(desk)).toEqual([]);

    const inSync = async () => {
      const lockers = await dashboard.evaluate(async () => (await fetch('/api/lockers')).json());
      const l = (lockers as { id: string; appliedVersion: number; latestVersion: number }[]).find(
        (x) => x.id === 'ieper-stadhuis-1',
      );
      return !!l && l.latestVersion > 0 && l.appliedVersion >= l.latestVersion;
    };
    for (let i = 0; !(await inSync()); i++) {
      if (i > 200) throw new Error('the locker never caught up with the reservation');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await rig.simulator.input('keypad', staffPin);
    expect((await rig.untilScreen('staff')).params.toLoad).toBe(1);
    const opened = (await (
      await fetch(`${rig.kioskUrl}/api/staff/load_next`, { method: 'POST' })
    ).json()) as {
      view: string;
      params: { compartment: number };
    };
    expect(opened.view).toBe('door_open');
    const compartment = opened.params.compartment;
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await fetch(`${rig.kioskUrl}/api/staff/end`, { method: 'POST' });
    await dashboard.waitForSelector(
      `[data-locker="${lockerId}"] [data-compartment="${compartment}"][data-state="occupied"]`,
      { timeout: 15_000 },
    );

    for (let i = 0; smtp.mails.length === 0; i++) {
      if (i > 300) throw new Error('no e-mail reached the SMTP server');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const mail = await simpleParser(smtp.mails[0]!, { keepCidLinks: true });
    expect(mail.to).toMatchObject({ text: 'jan.peeters@example.be' });
    const png = mail.attachments.find((a) => a.cid === 'pickup-qr')?.content;
    const qr = decodeQrPng(png!);
    expect(qr).toMatch(new RegExp(`^LKR1\\.${lockerId}\\.[A-Za-z0-9_-]{22,}$`));

    await rig.simulator.input('scanner', qr!);
    expect((await rig.untilScreen('door_open')).params.compartment).toBe(compartment);
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await dashboard.waitForFunction(
      (n) =>
        /picked_up/.test(document.getElementById('status')?.textContent ?? '') &&
        document.querySelector(`[data-compartment="${n}"]`)?.getAttribute('data-state') === 'free',
      compartment,
      { timeout: 15_000 },
    );
    expect(await seriousViolations(dashboard)).toEqual([]);
    const reservations = await desk.evaluate(async () => (await fetch('/api/reservations')).json());
    expect((reservations as { state: string }[])[0]?.state).toBe('picked_up');
  });
});
