import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Simulator } from '@locker/simulator';
import { TestBroker } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireBuilt } from './built-entry-points.ts';
import { buildReleaseArtifact } from './release-artifact.ts';
import { releaseRoles } from './release-roles.ts';

const run = promisify(execFile);
const repoRoot = new URL('..', import.meta.url).pathname;
const timeouts = {
  prepareMs: 10 * 60_000,
  readyMs: 60_000,
  healthMs: 30_000,
  stopMs: 15_000,
  /** Removing two installed trees: over 30 s on a machine loaded by other work. */
  cleanupMs: 5 * 60_000,
} as const;
const secret = 'r'.repeat(48);
const demoOnlyPackages = ['smtp-server', 'mailparser', 'jsqr', 'pngjs'];
/** pngjs stays installed: qrcode, which draws the citizens' QR images, depends on it. */
const absentFromProduction = [
  'tsx',
  'typescript',
  '@locker/simulator',
  '@locker/test-kit',
  'smtp-server',
  'mailparser',
  'jsqr',
];

const work = mkdtempSync(join(tmpdir(), 'release-test-')); // outside the source tree
const installed: Record<string, string> = {};
const children: ChildProcess[] = [];

/**
 * better-sqlite3 is a native module: on a target `npm ci` downloads its prebuilt binary or compiles it
 * (two CPU-minutes per install here). The test hands prebuild-install the binary that `npm ci` built for
 * this machine in the source tree, as a local prebuild (`npm_config_better_sqlite3_local_prebuilds`),
 * so both installs stay fast; the install scripts themselves run as on the target.
 */
async function localPrebuilds(): Promise<string> {
  const dir = join(work, 'prebuilds');
  const pkg = join(repoRoot, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir);
  await run('tar', ['-czf', join(dir, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
  return dir;
}

async function install(tarball: string, prebuilds: string): Promise<string> {
  await run('tar', ['-xzf', tarball, '-C', work]);
  const dir = join(work, basename(tarball, '.tar.gz'));
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
    maxBuffer: 16 * 2 ** 20,
  });
  return dir;
}

/**
 * The node arguments of a systemd unit's `ExecStart` in the release, pointed at where the test unpacked it and
 * at the test's config file: the test starts what the unit starts.
 */
function unitNodeArgs(dir: string, unit: string, installPath: string, config: string): string[] {
  const execStart = readFileSync(join(dir, 'systemd', unit), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('ExecStart='));
  const [program, ...args] = execStart!.slice('ExecStart='.length).split(' ');
  expect(basename(program!), `${unit} runs plain node`).toBe('node');
  args[args.indexOf('--config') + 1] = config;
  return args.map((arg) => arg.replace(installPath, dir));
}

/** Starts the release with plain node (no tsx) and waits for its `{"ready":true,…}` line. */
async function startBuilt(cwd: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const exited = once(child, 'exit');
  const firstLine = once(createInterface({ input: child.stdout! }), 'line', {
    signal: AbortSignal.timeout(timeouts.readyMs),
  }) as Promise<[string]>;
  const line = await Promise.race([
    firstLine.then(([text]) => text),
    exited.then(([code]) => {
      throw new Error(`node ${args.join(' ')} exited with ${code} before it was ready:\n${log}`);
    }),
  ]);
  return { child, ready: JSON.parse(line) as Record<string, string> };
}

async function healthz(url: string, expected: (body: Record<string, unknown>) => boolean) {
  await vi.waitFor(
    async () => {
      const response = await fetch(`${url}/healthz`);
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status !== 200 || !expected(body)) throw new Error(`healthz: ${JSON.stringify(body)}`);
    },
    { timeout: timeouts.healthMs, interval: 200 },
  );
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit', { signal: AbortSignal.timeout(timeouts.stopMs) });
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

beforeAll(async () => {
  requireBuilt(repoRoot);
  const [tarballs, prebuilds] = await Promise.all([
    Promise.all(releaseRoles.map((role) => buildReleaseArtifact(role, join(work, 'release')))),
    localPrebuilds(),
  ]);
  const dirs = await Promise.all(tarballs.map((tarball) => install(tarball, prebuilds)));
  for (const [index, role] of releaseRoles.entries()) installed[role.name] = dirs[index]!;
}, timeouts.prepareMs);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(work, { recursive: true, force: true });
}, timeouts.cleanupMs);

describe('release artifacts installed with npm ci --omit=dev outside the source tree', () => {
  it('the fleet release serves /healthz as fleet.service starts it (plain node) from its example config, without tsx or the demo-only packages', async () => {
    const dir = installed.fleet!;
    const { dependencies } = JSON.parse(readFileSync(join(dir, 'fleet', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(dependencies).filter((name) => demoOnlyPackages.includes(name))).toEqual([]);
    for (const name of [...absentFromProduction, '@locker/device'])
      expect(existsSync(join(dir, 'node_modules', name)), name).toBe(false);
    const config = parse(readFileSync(join(dir, 'examples', 'fleet.example.yaml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    config.mode = 'development' as never;
    config.http = { host: '127.0.0.1', port: 0 };
    config.mqtt = { broker: 'embedded', host: '127.0.0.1', port: 0 };
    config.store = { path: join(work, 'fleet.db') };
    config.secrets = {
      masterKey: { env: 'FLEET_MASTER_KEY' },
      servicePassword: { env: 'FLEET_SERVICE_PASSWORD' },
    };
    config.notify = { ebox: { dropDir: join(work, 'ebox') } };
    const file = join(work, 'fleet.yaml');
    writeFileSync(file, stringify(config));
    const args = unitNodeArgs(dir, 'fleet.service', '/opt/locker-fleet', file);
    const fleet = await startBuilt(dir, args, {
      FLEET_MASTER_KEY: secret,
      FLEET_SERVICE_PASSWORD: secret,
    });
    await healthz(fleet.ready.httpUrl!, () => true);
    expect(await stop(fleet.child)).toBe(0);
  });

  it('the locker release runs as locker.service starts it (plain node) from its example config against a simulated cabinet on a socat pty until /healthz is ok', async () => {
    const dir = installed.locker!;
    for (const name of absentFromProduction)
      expect(existsSync(join(dir, 'node_modules', name)), name).toBe(false);
    expect(existsSync(join(dir, 'device', 'dist', 'testing')), 'test rigs in device/dist').toBe(false);
    const simulator = new Simulator({ protocol: 'cu16', boards: 2, inputs: true });
    const broker = new TestBroker();
    try {
      const sim = await simulator.start();
      await broker.start();
      const config = parse(readFileSync(join(dir, 'examples', 'locker.example.yaml'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      config.mode = 'development' as never;
      config.bus!.transport = sim.tty;
      config.inputs = {
        keypad: { path: sim.keypadTty, baudRate: 9600 },
        scanner: { path: sim.scannerTty, baudRate: 9600 },
      };
      config.gpio = { driver: 'soft' };
      config.fleet = { url: broker.url };
      config.secrets = { codeKey: { env: 'LOCKER_CODE_KEY' }, auditKey: { env: 'LOCKER_AUDIT_KEY' } };
      config.store = { path: join(work, 'device.db') };
      config.kiosk = { host: '127.0.0.1', port: 0 };
      const file = join(work, 'locker.yaml');
      writeFileSync(file, stringify(config));
      const args = unitNodeArgs(dir, 'locker.service', '/opt/locker', file);
      const device = await startBuilt(dir, args, {
        LOCKER_CODE_KEY: secret,
        LOCKER_AUDIT_KEY: secret,
      });
      await healthz(device.ready.kioskUrl!, (body) => body.ok === true && body.boardsOnline === true);
      expect(await stop(device.child)).toBe(0);
    } finally {
      await broker.stop();
      await simulator.stop();
    }
  });
});
