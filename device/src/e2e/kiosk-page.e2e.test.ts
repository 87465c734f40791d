import { launchChromium, seriousViolations as violations } from '@locker/test-kit/browser';
import { LockerRig } from '@locker/test-kit/locker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Waits for a condition with a generous timeout (CI runs beside CPU hogs). */
const poll = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 15_000 });

const staffPin = '1122334459';
let rig: LockerRig;
let browser: Browser;
let page: Page;
/** CSP violations seen by the page and console errors, from the first load on. */
const pageProblems: string[] = [];

async function watchProblems(target: Page): Promise<void> {
  target.on('console', (message) => {
    if (message.type() === 'error')
      pageProblems.push(`console: ${message.text()} (${message.location().url})`);
  });
  target.on('pageerror', (error) => pageProblems.push(`error: ${error.message}`));
  await target.exposeFunction('reportCspViolation', (directive: string, blocked: string) =>
    pageProblems.push(`csp: ${directive} blocked ${blocked}`),
  );
  await target.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { reportCspViolation: (d: string, b: string) => void }).reportCspViolation(
        event.violatedDirective,
        event.blockedURI,
      ),
    ),
  );
}

/** The keypad's place on the screen and its smallest target, in CSS pixels. */
async function keypadGeometry(target: Page) {
  const keys = await target.locator('.keys').boundingBox();
  const targets = await target
    .locator('.keys button, nav button')
    .evaluateAll((buttons) =>
      buttons.map((b) => b.getBoundingClientRect()).map((r) => Math.min(r.width, r.height)),
    );
  return { top: keys!.y, bottom: keys!.y + keys!.height, smallestTarget: Math.min(...targets) };
}

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
  await watchProblems(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe('the citizen’s touchscreen page in Chromium (device process, simulator on ptys, broker)', () => {
  it('starts in Dutch, switches language with one touch, and has no serious accessibility violations', async () => {
    await page.goto(rig.kioskUrl);
    await poll(() => status().textContent()).toContain('Typ uw code');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await status().getAttribute('aria-live')).toBe('assertive');
    expect(await seriousViolations()).toEqual([]);
    await page.click('button[data-lang="fr"]');
    await poll(() => status().textContent()).toContain('Tapez votre code');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.click('button[data-lang="de"]');
    await poll(() => status().textContent()).toContain('Geben Sie Ihren Code');
    await page.click('button[data-lang="en"]');
    await poll(() => status().textContent()).toContain('Type your code');
    await page.click('button[data-lang="nl"]');
  });

  it('staff load through the on-screen buttons, then a citizen picks up with the PIN typed on the screen', async () => {
    const codes = await rig.peer.reserve('r-page');
    await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, 10_000, 'reservation applied');
    await typeOnScreen(staffPin);
    await poll(() => status().textContent()).toContain('1 te laden');
    await page.click('button[data-staff="load_next"]');
    await poll(() => status().textContent()).toMatch(/Deur \d+ is open: kolom \d+, \w+/);
    const compartment = Number((await status().textContent())!.match(/Deur (\d+)/)![1]);
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await poll(() => status().textContent()).toContain('Geladen.');
    expect(await seriousViolations()).toEqual([]);
    await page.click('button[data-staff="end"]');
    await poll(() => status().textContent()).toContain('Typ uw code');

    await page.fill('#code', codes.pin);
    await page.press('#code', 'Enter');
    await poll(() => status().textContent()).toContain(`Deur ${compartment} is open`);
    expect(await status().textContent()).toMatch(/kolom \d+, (bovenaan|hoog|laag|onderaan)/);
    expect(await page.content()).not.toContain('REF-r-page');
    expect(await seriousViolations()).toEqual([]);
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await poll(() => status().textContent()).toContain('Dank u');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-page'),
      10_000,
      'picked_up',
    );
  });

  it('says why a code is refused in the chosen language, then gives the next citizen a clean Dutch screen', async () => {
    await page.click('button[data-lang="en"]');
    await typeOnScreen('000000');
    await poll(() => status().textContent()).toBe('This code is not known.');
    await page.click('button[data-key="4"]');
    await page.click('button[data-key="2"]');
    await poll(() => status().textContent()).toContain('Typ uw code');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await page.inputValue('#code')).toBe('');
    expect(await page.getAttribute('button[data-lang="nl"]', 'aria-pressed')).toBe('true');
  });

  it('clears half-typed digits and the language when nobody touches the start screen', async () => {
    await page.click('button[data-lang="fr"]');
    await page.click('button[data-key="7"]');
    await page.click('button[data-key="3"]');
    expect(await page.inputValue('#code')).toBe('73');
    await poll(() => page.inputValue('#code')).toBe('');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await status().textContent()).toContain('Typ uw code');
  });

  it('serves the page under a strict CSP with the usual security headers', async () => {
    const response = await fetch(rig.kioskUrl);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).not.toMatch(/<script>|<style>| style="/);
  });

  it('works under that CSP in Chromium: no violation and no console error through every test above', () => {
    expect(pageProblems).toEqual([]);
  });

  it('puts the keypad in the lower half in portrait (1080×1920) and keeps every target at 44 px or more', async () => {
    const portrait = await keypadGeometry(page);
    expect(portrait.top).toBeGreaterThanOrEqual(1920 / 2);
    expect(portrait.bottom).toBeLessThanOrEqual(1920);
    expect(portrait.smallestTarget).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: `${rig.dir}/kiosk-portrait.png` });

    const landscape = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await landscape.goto(rig.kioskUrl);
    await poll(() => landscape.locator('#status').textContent()).toContain('Typ uw code');
    expect((await keypadGeometry(landscape)).smallestTarget).toBeGreaterThanOrEqual(44);
    expect(await violations(landscape)).toEqual([]);
    await landscape.screenshot({ path: `${rig.dir}/kiosk-landscape.png` });
    await landscape.close();
    expect(await seriousViolations()).toEqual([]);
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
