import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LockerRig, rigAuditKey, rigCodeKey } from '@locker/test-kit/locker';

/** The device from source under tsx, as `npm run device` runs it. */
export const tsxDevice = [
  '--import',
  'tsx',
  new URL('../device/src/cli/device.ts', import.meta.url).pathname,
];

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted.at(-1)!) };
}

/** The first line a child prints (its "ready" line); a child that exits before it fails the measurement. */
export async function firstLine(child: ChildProcess, what: string): Promise<string> {
  let printed = false;
  const exited = once(child, 'exit').then(([code]) => {
    if (!printed) throw new Error(`${what} exited with code ${code} before it was ready`);
    return '';
  });
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [
    string,
  ];
  printed = true;
  return line;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number, ticksPerSecond: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime (fields 14 and 15)
}

/**
 * The rig's config with the shipped lock-bus timing (`lockBusDefaults`: a status poll every 500 ms)
 * instead of the rig's fast test polling, so idle CPU is what a locker in service spends.
 */
function shippedTimingConfig(rig: LockerRig): string {
  const config = JSON.parse(readFileSync(rig.configFile, 'utf8')) as { bus: { timing?: unknown } };
  delete config.bus.timing;
  const file = join(dirname(rig.configFile), 'locker-shipped-timing.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Device process (`node <runtime> --config …`): spawn → "ready" line; its resident memory and CPU while idling. */
export async function startAndIdle(rig: LockerRig, starts: number, idleMs: number, runtime: string[]) {
  const configFile = shippedTimingConfig(rig);
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const startMs: number[] = [];
  let idleRssBytes = 0;
  let idleCpuPercent = 0;
  for (let i = 0; i < starts; i++) {
    const began = performance.now();
    const child = spawn(process.execPath, [...runtime, '--config', configFile], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LOCKER_CODE_KEY: rigCodeKey, LOCKER_AUDIT_KEY: rigAuditKey },
    });
    await firstLine(child, 'the device');
    startMs.push(performance.now() - began);
    if (i === starts - 1) {
      const cpuBefore = cpuSeconds(child.pid!, ticksPerSecond);
      const idleFrom = performance.now();
      await sleep(idleMs);
      const idleSeconds = (performance.now() - idleFrom) / 1000;
      idleCpuPercent = ((cpuSeconds(child.pid!, ticksPerSecond) - cpuBefore) / idleSeconds) * 100;
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      idleRssBytes = Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;
    }
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return {
    startToReadyMs: percentiles(startMs),
    idleRssMiB: Math.round((idleRssBytes / 2 ** 20) * 10) / 10,
    idleCpuPercent: Math.round(idleCpuPercent * 100) / 100,
    idleMs,
    starts,
  };
}

/** Code typed on the serial keypad → unlock frame taken off the wire by the simulated board. */
export async function codeToUnlock(rig: LockerRig, samples: number, staffPin: string) {
  const { peer, simulator } = rig;
  const kiosk = (path: string, body?: unknown) =>
    fetch(`${rig.kioskUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    }).then((r) => r.json() as Promise<{ view: string; params: Record<string, unknown> }>);
  const viaKeypad: number[] = [];
  const viaScreen: number[] = [];
  for (let i = 0; i < samples; i++) {
    const codes = await peer.reserve(`bench-${i}`);
    await peer.until(() => peer.deviceVersion >= codes.version);
    await kiosk('/api/code', { code: staffPin });
    const opened = await kiosk('/api/staff/load_next');
    const number = opened.params.compartment as number;
    if (opened.view !== 'door_open') throw new Error(`staff could not load: ${JSON.stringify(opened)}`);
    rig.act(number, 'put-item');
    rig.act(number, 'close');
    await peer.until(() => peer.eventsOf('loaded').some((e) => e.reservationId === `bench-${i}`));
    await kiosk('/api/staff/end');
    const door = simulator.door(Math.floor((number - 1) / 16), ((number - 1) % 16) + 1);
    await sleep(600); // a person's pace: the load's coil pulse is over
    const before = door.snapshot().unlockCount;
    const unlocked = new Promise<void>((resolve) => {
      const check = () => {
        if (door.snapshot().unlockCount > before) {
          door.off('change', check);
          resolve();
        }
      };
      door.on('change', check);
    });
    const began = performance.now();
    if (i % 2 === 0) await simulator.input('keypad', codes.pin);
    else void kiosk('/api/code', { code: codes.pin });
    await unlocked;
    (i % 2 === 0 ? viaKeypad : viaScreen).push(performance.now() - began);
    await rig.untilScreen('door_open');
    rig.act(number, 'take-item');
    rig.act(number, 'close');
    await peer.until(() => peer.eventsOf('picked_up').some((e) => e.reservationId === `bench-${i}`));
    await sleep(600);
  }
  return {
    keypadToUnlockFrameMs: percentiles(viaKeypad),
    screenToUnlockFrameMs: percentiles(viaScreen),
    samples,
  };
}
