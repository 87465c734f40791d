import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const staffPin = '2468135702';
const waitMs = 20_000;
const cli = new URL('../cli/device.ts', import.meta.url).pathname;
let rig: LockerRig;
let db: string;

/** Runs the device's command line to its end; resolves with its exit code and standard error. */
async function runCli(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args, '--config', rig.configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...rig.env() },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stderr };
}

/** The start is refused: the device process exits before it is ready, with this in its log. */
async function startRefused(): Promise<string> {
  const error = await rig.startDeviceProcess().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the device started').toBeInstanceOf(Error);
  return error!.message;
}

function commissioned(): void {
  const config = JSON.parse(readFileSync(rig.configFile, 'utf8')) as { store: { commissioned: boolean } };
  config.store.commissioned = true;
  writeFileSync(rig.configFile, JSON.stringify(config, null, 2));
}

function removeFiles(...suffixes: string[]): void {
  for (const suffix of suffixes) rmSync(`${db}${suffix}`, { force: true });
}

beforeAll(async () => {
  rig = new LockerRig();
  db = join(rig.dir, 'device.db');
  await rig.start();
  await rig.startDeviceProcess();
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
}, 30_000);

afterAll(async () => {
  await rig?.stop();
});

describe('a lost or damaged database at start (device process, commissioned locker)', () => {
  let holding: number;
  let lastSeq: number;

  it('a commissioned locker whose main file lost its -wal file (all it wrote since it was made) refuses to start as new', async () => {
    await rig.peer.reserve('r-1');
    holding = await rig.loadNext(staffPin);
    await rig.killDevice();
    commissioned();
    lastSeq = Math.max(...rig.peer.events.map((e) => e.seq));
    removeFiles('-wal', '-shm');
    expect(await startRefused()).toMatch(/LOCKER_STATE_LOST/);
  });

  it('an emptied database is refused the same way, naming the recovery command', async () => {
    writeFileSync(db, '');
    removeFiles('-wal', '-shm');
    const log = await startRefused();
    expect(log).toMatch(/LOCKER_STATE_LOST/);
    expect(log).toMatch(/recover --config/);
  });

  it('recovery after staff confirm: events continue above the fleet’s last, the compartment holding an item is never chosen for loading', async () => {
    expect((await runCli('recover')).code, 'recover without --confirm').not.toBe(0);
    const recovered = await runCli('recover', '--confirm', '--event-seq-above', String(lastSeq));
    expect(recovered.code, recovered.stderr).toBe(0);
    await rig.startDeviceProcess();
    await rig.peer.until(
      () =>
        rig.peer.events.some(
          (e) => e.type === 'reconciled' && e.compartment === holding && e.data.found === 'item_present',
        ),
      waitMs,
      'item_present reconciled',
    );
    const recoveredEvents = rig.peer.events.filter(
      (e) => e.type === 'alarm' && e.data.code === 'state_recovered',
    );
    expect(recoveredEvents).toHaveLength(1);
    expect(recoveredEvents[0]!.seq).toBe(lastSeq + 1);
    // a new database is at version 0: the fleet's reservations come again; the next load avoids the full compartment
    await rig.peer.reserve('r-2', { size: 'S' });
    const next = await rig.loadNext(staffPin);
    expect(next).not.toBe(holding);
    expect(rig.door(holding)).toMatchObject({ itemPresent: true, unlockCount: 1 });
  });

  it('a corrupted file is refused with STORE_DAMAGED', async () => {
    await rig.killDevice();
    writeFileSync(db, Buffer.alloc(8192, 0x5a));
    removeFiles('-wal', '-shm');
    const log = await startRefused();
    expect(log).toMatch(/STORE_DAMAGED/);
    expect(log).toMatch(/recovery command/);
  });

  it('the backup command copies a live database with every committed write', async () => {
    writeFileSync(db, '');
    removeFiles('-wal', '-shm');
    const recovered = await runCli('recover', '--confirm', '--event-seq-above', '7');
    expect(recovered.code, recovered.stderr).toBe(0);
    await rig.startDeviceProcess();
    const target = join(rig.dir, 'backup.db');
    const backup = await runCli('backup', '--to', target);
    // the live database's WAL holds what the backup must carry
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    expect(backup.code, backup.stderr).toBe(0);
    await rig.killDevice();
    // the backup is a database of this locker: it starts where the live file stood
    writeFileSync(db, readFileSync(target));
    removeFiles('-wal', '-shm');
    await rig.startDeviceProcess();
    expect((await (await fetch(`${rig.kioskUrl}/healthz`)).json()).lockerId).toBe('ieper-test-1');
  });
});
