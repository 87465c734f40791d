import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type NotifierHealth, SystemdNotifier } from './systemd-notifier.ts';

/** A stand-in `systemd-notify` per test (a stopping notifier of one test must not write into the next one's log). */
function fakeNotify(): { fake: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  const log = join(dir, 'calls');
  const fake = join(dir, 'systemd-notify');
  writeFileSync(fake, `#!/bin/sh\necho "$NOTIFY_SOCKET $*" >> ${log}\n`);
  chmodSync(fake, 0o755);
  writeFileSync(log, '');
  return { fake, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const period = 100;
/**
 * Polls on the real clock (only setInterval is faked): `vi.waitFor` would advance the fake timers on
 * every poll, and on a slow machine those polls add watchdog ticks of their own.
 */
async function waitForCalls(calls: () => string[], count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (calls().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} calls, got ${JSON.stringify(calls())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let notifier: SystemdNotifier | undefined;
afterEach(() => {
  notifier?.stop();
  notifier = undefined;
  vi.useRealTimers();
});

describe('systemd notifier', () => {
  it('pings the watchdog only while healthy and tells systemd why not, once per change', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { fake, calls } = fakeNotify();
    let health: NotifierHealth = { ok: true, problems: [] };
    notifier = new SystemdNotifier(
      () => health,
      pino({ level: 'silent' }),
      { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: String(period * 2000) },
      fake,
    );
    notifier.start();
    await waitForCalls(calls, 1);
    vi.advanceTimersByTime(period * 2);
    await waitForCalls(calls, 3);
    health = { ok: false, problems: ['bus_unresponsive'] };
    vi.advanceTimersByTime(period * 3);
    await waitForCalls(calls, 4);
    health = { ok: true, problems: [] };
    vi.advanceTimersByTime(period);
    await waitForCalls(calls, 5);
    expect(calls()).toEqual([
      '/run/x --ready',
      '/run/x WATCHDOG=1',
      '/run/x WATCHDOG=1',
      '/run/x STATUS=unhealthy: bus_unresponsive',
      '/run/x WATCHDOG=1 STATUS=healthy',
    ]);
  });

  it('does nothing outside systemd', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { fake, calls } = fakeNotify();
    notifier = new SystemdNotifier(() => ({ ok: true, problems: [] }), pino({ level: 'silent' }), {}, fake);
    notifier.start();
    vi.advanceTimersByTime(period * 10);
    expect(calls()).toEqual([]);
  });
});
