import { launchChromium } from '@locker/test-kit/browser';
import { LockerRig } from '@locker/test-kit/locker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RecordingSpeech } from '../speech/recording-speech.ts';

/** Waits for a condition with a generous timeout (CI runs beside CPU hogs). */
const poll = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 15_000 });

const staffPin = '1122334459';
const speech = new RecordingSpeech();
let rig: LockerRig;
let browser: Browser;
let page: Page;
/** The reservation loaded by staff, picked up by the next citizen. */
const loaded = { pin: '', qr: '', compartment: 0 };

const said = () => speech.utterances.map((u) => `${u.language}: ${u.text}`);
const lastSaid = () => said().at(-1);
const status = () => page.locator('#status');

async function typeOnScreen(code: string): Promise<void> {
  for (const digit of code) await page.click(`button[data-key="${digit}"]`);
  await page.click('#ok');
}

beforeAll(async () => {
  rig = new LockerRig({ speech });
  await rig.start();
  await rig.startDeviceInProcess();
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-9', display: 'EF', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(rig.kioskUrl);
  await vi.waitFor(async () => expect(await status().textContent()).toContain('Typ uw code'), 10_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe('speech output through the real runtime, page and keypad (recording speech)', () => {
  it('is silent until asked, speaks in the language chosen on the page, and the keypad’s * repeats', async () => {
    expect(said()).toEqual([]);
    await page.click('button[data-lang="fr"]');
    expect(said()).toEqual([]);
    await page.click('#speak');
    const welcome =
      'fr: Tapez votre code sur le clavier et confirmez, ou présentez votre code QR au lecteur. Appuyez sur l’étoile pour réécouter.';
    await poll(said).toEqual([welcome]);
    await rig.simulator.input('keypad', '*');
    await poll(said).toEqual([welcome, welcome]);
    await page.click('button[data-key="0"]');
    await page.click('button[data-key="0"]');
    await poll(lastSaid).toBe(
      'fr: Votre code : 2 chiffres tapés. Appuyez sur Confirmer quand votre code est complet.',
    );
    await typeOnScreen('0000');
    await poll(lastSaid).toBe('fr: Ce code n’est pas connu.');
  });

  it('speaks the loading screens, and stops when the visit ends', async () => {
    const codes = await rig.peer.reserve('r-speech', { twoFactor: true, itemType: 'passport' });
    await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, 10_000, 'reservation applied');
    await typeOnScreen(staffPin);
    await poll(lastSaid).toBe('fr: Personnel EF : 1 à charger, 0 à retirer.');
    await page.click('button[data-staff="load_next"]');
    await poll(lastSaid).toMatch(/^fr: La porte \d+ est ouverte : colonne \d+, [a-z ]+\.$/);
    const compartment = Number(lastSaid()!.match(/porte (\d+)/)![1]);
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await poll(lastSaid).toContain('Chargé.');
    const stops = speech.stops;
    const spoken = said().length;
    await page.click('button[data-staff="end"]');
    await poll(() => status().textContent()).toContain('Typ uw code');
    await poll(() => speech.stops).toBeGreaterThan(stops);
    expect(said()).toHaveLength(spoken);
    loaded.pin = codes.pin;
    loaded.qr = codes.qr;
    loaded.compartment = compartment;
  });

  it('speaks a whole two-factor pickup in Dutch for the next citizen who presses * on the keypad: second factor, door and place, thank you', async () => {
    await rig.simulator.input('keypad', '*');
    await poll(lastSaid).toBe(
      'nl: Typ uw code op het toetsenbord en bevestig, of toon uw QR-code aan de scanner. Druk op het sterretje om dit opnieuw te horen.',
    );
    await rig.simulator.input('keypad', loaded.pin);
    await poll(lastSaid).toBe('nl: Toon nu ook de QR-code uit uw e-mail.');
    await rig.simulator.input('scanner', loaded.qr);
    await poll(lastSaid).toMatch(
      new RegExp(
        `^nl: Deur ${loaded.compartment} is open\\. U vindt ze in kolom \\d+, (bovenaan|hoog|laag|onderaan)\\. Neem uw voorwerp en sluit de deur\\.$`,
      ),
    );
    rig.act(loaded.compartment, 'take-item');
    rig.act(loaded.compartment, 'close');
    await poll(lastSaid).toBe('nl: Dank u. Tot ziens!');
    expect(said().join('\n')).not.toContain('REF-');
  });

  it('refuses a speech request in a language the kiosk does not speak, and changes nothing', async () => {
    const before = said().length;
    for (const [url, body] of [
      ['/api/speech', '{"language":"es"}'],
      ['/api/session', '{}'],
      ['/api/typing', '{"digits":-1}'],
    ] as const) {
      const response = await fetch(`${rig.kioskUrl}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'KIOSK_BAD_REQUEST' });
    }
    expect(said()).toHaveLength(before);
  });
});
