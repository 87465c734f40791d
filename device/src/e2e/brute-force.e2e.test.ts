import { launchChromium } from '@locker/test-kit/browser';
import { LockerRig, TestClock } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxWrongGuesses } from '../flows/guessing-bound.ts';
import type { LockoutPolicy } from '../flows/lockout.ts';

const staffPin = '8675309123';
const hour = 60 * 60_000;
const policy: LockoutPolicy = {
  freeAttempts: 3,
  baseDelayMs: 2_000,
  maxDelayMs: 8_000,
  forgetAfterMs: 60_000,
  alarmAfter: 6,
  budget: 12,
  budgetWindowMs: hour,
};
/** The device's clock stands still unless the attacker moves it on (instead of waiting). */
const clock = new TestClock(Date.now());
let rig: LockerRig;

/** Wrong 8-digit PINs; none is a live code (the only live PIN is the own reservation's, never typed). */
let guessNumber = 0;
const guess = () => String(10_000_000 + guessNumber++);

beforeAll(async () => {
  rig = new LockerRig({ lockout: policy, clock });
  await rig.start();
  await rig.startDeviceInProcess();
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
}, 30_000);

afterAll(async () => {
  await rig?.stop();
});

describe('brute force at the locker (device + simulated keypad and scanner on ptys + fleet peer)', () => {
  it('an own two-factor QR never resets the count: own QR, one wrong code, two guesses, repeated, slows down and alarms', async () => {
    const own = await rig.peer.reserve('r-own', { twoFactor: true, itemType: 'passport' });
    await rig.loadNext(staffPin);
    const delays: number[] = [];
    for (let cycle = 0; cycle < 4; cycle++) {
      expect((await rig.enter('scanner', own.qr)).view).toBe('second_factor');
      const wrong = await rig.enter('keypad', guess());
      // a QR line can carry a PIN: the scanner guesses as the keypad does
      const answers = [wrong, await rig.enter('scanner', guess()), await rig.enter('keypad', guess())];
      const wait = answers.find((a) => a.view === 'wait');
      if (wait) {
        delays.push(wait.params.seconds as number);
        clock.advance((wait.params.seconds as number) * 1000);
      }
    }
    // 3 free wrong codes in the first cycle; then each cycle's first wrong code waits twice as long
    expect(delays).toEqual([2, 4, 8]);
    await rig.peer.until(
      () => rig.peer.eventsOf('alarm').some((e) => e.data.code === 'wrong_codes'),
      10_000,
      'wrong codes alarm at the fleet',
    );
  });

  it('the delay survives a restart', async () => {
    await rig.enter('keypad', guess());
    const before = await rig.enter('keypad', guess());
    expect(before.view).toBe('wait');
    await rig.inProcess!.stop();
    await rig.startDeviceInProcess();
    expect((await rig.enter('keypad', guess())).view).toMatch(/^(wait|suspended)$/);
  });

  it('the real guessing rate through the keypad and the scanner stays within the policy; QR and staff still work', async () => {
    clock.advance(2 * hour); // a fresh window: what came before is forgotten
    const start = clock.monotonic();
    let evaluated = 0;
    let suspensions = 0;
    for (let attempt = 0; attempt < 60; attempt++) {
      const answer = await rig.enter(attempt % 2 ? 'scanner' : 'keypad', guess());
      // a guess that was evaluated names why it was refused; a blocked one was never looked up
      if (answer.params.reason === 'unknown_code') evaluated++;
      if (answer.view === 'suspended') suspensions++;
      // the fastest the locker allows: come back the moment it says
      if (answer.view === 'wait' || answer.view === 'suspended')
        clock.advance((answer.params.seconds as number) * 1000);
    }
    const spanMs = clock.monotonic() - start;
    expect(evaluated).toBeGreaterThanOrEqual(policy.budget);
    expect(evaluated).toBeLessThanOrEqual(maxWrongGuesses(policy, spanMs));
    expect(suspensions).toBeGreaterThan(0);
    await rig.peer.until(
      () => rig.peer.eventsOf('alarm').some((e) => e.data.code === 'pin_entry_suspended'),
      10_000,
      'suspension alarm at the fleet',
    );

    // while PIN entry is suspended: citizens' mistakes never lock staff out, and a QR code is still read
    let blocked = await rig.enter('keypad', guess());
    for (let more = 0; blocked.view !== 'suspended' && more < policy.budget; more++)
      blocked = await rig.enter('keypad', guess());
    expect(blocked.view).toBe('suspended');
    expect((await rig.enter('keypad', staffPin)).view).toBe('staff');
    await fetch(`${rig.kioskUrl}/api/staff/end`, { method: 'POST' });
    const own = await rig.peer.reserve('r-qr-only');
    const compartment = await rig.loadNext(staffPin);
    await rig.simulator.input('scanner', own.qr);
    await rig.untilScreen('door_open');
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await rig.untilScreen('done');
  });

  it('the touchscreen counts the wait down, then asks for a code again', async () => {
    clock.advance(2 * hour);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(rig.kioskUrl);
      const status = () => page.locator('#status').textContent();
      await expect.poll(status).toBe('Dank u. Tot ziens!');
      let answer = await rig.enter('keypad', guess());
      while (answer.view !== 'wait') answer = await rig.enter('keypad', guess());
      expect(answer.params.seconds).toBe(2);
      await expect.poll(status, { timeout: 10_000 }).toBe('Te veel foute codes. Wacht 1 seconden.');
      await expect.poll(status, { timeout: 10_000 }).toContain('Typ uw code');
    } finally {
      await browser.close();
    }
  });

  it('wrong staff codes have their own counter: they slow staff down, never the citizens', async () => {
    clock.advance(2 * hour);
    const wrongStaff = ['3141592653', '2718281828', '1618033988', '1414213562'];
    const answers = [];
    for (const pin of wrongStaff) answers.push((await rig.enter('keypad', pin)).view);
    expect(answers).toEqual(['rejected', 'rejected', 'rejected', 'wait']);
    expect((await rig.enter('keypad', '5772156649')).view).toBe('wait');
    // a citizen's wrong code is still evaluated, on the citizens' own counter
    expect(await rig.enter('keypad', guess())).toMatchObject({
      view: 'rejected',
      params: { reason: 'unknown_code' },
    });
  });
});
