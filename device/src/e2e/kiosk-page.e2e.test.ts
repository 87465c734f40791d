import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations as violations } from '../testing/headless-browser.ts';
import { LockerRig } from '../testing/locker-rig.ts';

const staffPin = '1122334459';
let rig: LockerRig;
let browser: Browser;
let page: Page;

const seriousViolations = () => violations(page);

async function typeOnScreen(code: string): Promise<void> {
  for (const digit of code) await page.click(`button[data-key="${digit}"]`);
  await page.click('#ok');
}

const status = () => page.locator('#status');

beforeAll(async () => {
  rig = new LockerRig({ timing: { inactivityMs: 1500 } });
  await rig.start();
  await rig.startDeviceProcess();
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-9', display: 'EF', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe('the citizen’s touchscreen page in Chromium (device process, simulator on ptys, broker)', () => {
  it('starts in Dutch, switches language with one touch, and has no serious accessibility violations', async () => {
    await page.goto(rig.kioskUrl);
    await expect.poll(() => status().textContent()).toContain('Typ uw code');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await status().getAttribute('aria-live')).toBe('assertive');
    expect(await seriousViolations()).toEqual([]);
    await page.click('button[data-lang="fr"]');
    await expect.poll(() => status().textContent()).toContain('Tapez votre code');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.click('button[data-lang="de"]');
    await expect.poll(() => status().textContent()).toContain('Geben Sie Ihren Code');
    await page.click('button[data-lang="en"]');
    await expect.poll(() => status().textContent()).toContain('Type your code');
    await page.click('button[data-lang="nl"]');
  });

  it('staff load through the on-screen buttons, then a citizen picks up with the PIN typed on the screen', async () => {
    const codes = await rig.peer.reserve('r-page');
    await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, 10_000, 'reservation applied');
    await typeOnScreen(staffPin);
    await expect.poll(() => status().textContent()).toContain('1 te laden');
    await page.click('button[data-staff="load_next"]');
    await expect.poll(() => status().textContent()).toMatch(/Deur \d+ is open: kolom \d+, \w+/);
    const compartment = Number((await status().textContent())!.match(/Deur (\d+)/)![1]);
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await expect.poll(() => status().textContent()).toContain('Geladen.');
    expect(await seriousViolations()).toEqual([]);
    await page.click('button[data-staff="end"]');
    await expect.poll(() => status().textContent()).toContain('Typ uw code');

    await page.fill('#code', codes.pin);
    await page.press('#code', 'Enter');
    await expect.poll(() => status().textContent()).toContain(`Deur ${compartment} is open`);
    expect(await status().textContent()).toMatch(/kolom \d+, (bovenaan|hoog|laag|onderaan)/);
    expect(await page.content()).not.toContain('REF-r-page');
    expect(await seriousViolations()).toEqual([]);
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await expect.poll(() => status().textContent()).toContain('Dank u');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-page'),
      10_000,
      'picked_up',
    );
  });

  it('says why a code is refused, in the chosen language, and returns to the start after inactivity', async () => {
    await page.click('button[data-lang="en"]');
    await typeOnScreen('000000');
    await expect.poll(() => status().textContent()).toBe('This code is not known.');
    await expect.poll(() => status().textContent(), { timeout: 5000 }).toContain('Type your code');
    await page.click('button[data-lang="nl"]');
  });

  it('answers /healthz with the bus, fleet and audit state', async () => {
    const response = await fetch(`${rig.kioskUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      boardsOnline: true,
      fleetConnected: true,
      auditIntact: true,
    });
    const bad = await fetch(`${rig.kioskUrl}/api/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":""}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'KIOSK_BAD_REQUEST' });
  });
});
