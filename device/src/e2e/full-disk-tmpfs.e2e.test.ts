import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const staffPin = '2468135702';
const waitMs = 20_000;
const fsSize = '8m';

/** A tmpfs of a few MiB can be mounted here (root, and the sandbox allows it). */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

const mountable = canMountTmpfs();
let rig: LockerRig;
let filler: string;

/** Writes zeros until the file system says ENOSPC. */
function fillDisk(): void {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function post(path: string) {
  const response = await fetch(`${rig.kioskUrl}${path}`, { method: 'POST' });
  return (await response.json()) as { view: string; params: Record<string, unknown> };
}

const storage = () => rig.peer.telemetry?.storage;

describe.skipIf(!mountable)(
  `a really full disk: the database on a ${fsSize} tmpfs filled to ENOSPC (needs root and mount; skipped otherwise)`,
  () => {
    beforeAll(async () => {
      rig = new LockerRig({ timing: { telemetryMs: 1000 } });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${fsSize}`, 'tmpfs', rig.dir]);
      filler = join(rig.dir, 'filler.bin');
      await rig.start();
      await rig.startDeviceInProcess();
      await rig.peer.publish({
        kind: 'staff',
        staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
      });
    }, 30_000);

    afterAll(async () => {
      await rig?.stop();
      if (rig) execFileSync('umount', [rig.dir]);
    });

    it('a close the full disk refuses is written once space is freed; the PIN never reopens the emptied door', async () => {
      // a file system of a few MiB is below the low-disk threshold from the start
      await rig.peer.until(
        () => rig.peer.eventsOf('alarm').some((e) => e.data.code === 'disk_low'),
        waitMs,
        'disk_low',
      );
      const codes = await rig.peer.reserve('r-tmpfs');
      await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, waitMs, 'reservation applied');
      await rig.simulator.input('keypad', staffPin);
      await rig.untilScreen('staff');
      const opened = await post('/api/staff/load_next');
      expect(opened.view).toBe('door_open');
      const compartment = opened.params.compartment as number;
      rig.act(compartment, 'put-item');
      rig.act(compartment, 'close');
      await rig.peer.until(() => rig.peer.eventsOf('loaded').length === 1, waitMs, 'loaded');
      await post('/api/staff/end');
      await rig.simulator.input('keypad', codes.pin);
      await rig.untilScreen('door_open');

      fillDisk();
      rig.act(compartment, 'take-item');
      rig.act(compartment, 'close');
      await rig.peer.until(() => storage()?.writable === false, waitMs, 'telemetry: store not writable');
      await rig.simulator.input('keypad', codes.pin);
      expect((await rig.untilScreen('error')).params.code).toBe('out_of_service');
      expect(rig.door(compartment)).toMatchObject({ open: false, unlockCount: 2 });

      rmSync(filler);
      await rig.peer.until(() => storage()?.writable === true, waitMs, 'telemetry: store writable again');
      await rig.peer.until(
        () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-tmpfs'),
        waitMs,
        'picked_up',
      );
      await rig.simulator.input('keypad', codes.pin);
      expect((await rig.untilScreen('rejected')).params.reason).toBe('already_collected');
      expect(rig.door(compartment).unlockCount).toBe(2);
      expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === 'r-tmpfs')).toHaveLength(1);
    });
  },
);
