import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemdNotifier } from './systemd-notifier.ts';

/** A stand-in `systemd-notify` per test (a stopping notifier of one test must not write into the next one's log). */
function fakeNotify(): { fake: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  const log = join(dir, 'calls');
  const fake = join(dir, 'systemd-notify');
  writeFileSync(fake, `#!/bin/sh\necho "$NOTIFY_SOCKET $*" >> ${log}\n`);
  chmodSync(fake, 0o755);
  writeFileSync(log, '');
  return { fake, log };
}

let notifier: SystemdNotifier | undefined;
afterEach(() => notifier?.stop());
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('systemd notifier', () => {
  it('says ready, then pings the watchdog only while healthy', async () => {
    const { fake, log } = fakeNotify();
    const calls = () => readFileSync(log, 'utf8').trim().split('\n');
    let healthy = true;
    notifier = new SystemdNotifier(
      () => healthy,
      pino({ level: 'silent' }),
      { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '100000' },
      fake,
    );
    notifier.start();
    await wait(230);
    expect(calls()[0]).toBe('/run/x --ready');
    expect(calls().filter((c) => c.endsWith('WATCHDOG=1')).length).toBeGreaterThanOrEqual(2);
    healthy = false;
    await wait(50);
    const pings = calls().length;
    await wait(200);
    expect(calls().length).toBe(pings);
  });

  it('does nothing outside systemd', async () => {
    const { fake, log } = fakeNotify();
    notifier = new SystemdNotifier(() => true, pino({ level: 'silent' }), {}, fake);
    notifier.start();
    await wait(50);
    expect(readFileSync(log, 'utf8')).toBe('');
  });
});
