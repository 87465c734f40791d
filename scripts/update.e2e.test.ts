import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Simulator } from '@locker/simulator';
import { FleetProcess } from '@locker/test-kit/fleet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { signArtifact } from './artifact-signing.ts';
import { requireBuilt } from './built-entry-points.ts';
import { buildReleaseArtifact } from './release-artifact.ts';
import { releaseRoles } from './release-roles.ts';

const run = promisify(execFile);
const repoRoot = new URL('..', import.meta.url).pathname;
const timeouts = { prepareMs: 10 * 60_000, stepMs: 240_000, testMs: 8 * 60_000, stopMs: 120_000 } as const;
/** The new version's health gate in this test (the config's minimum is 10 s). */
const healthGateMs = 30_000;
const secret = 'u'.repeat(48);
const adminPassword = 'a long enough password';
const lockerRole = releaseRoles.find((role) => role.name === 'locker')!;
const work = mkdtempSync(join(tmpdir(), 'update-e2e-'));
const releaseKey = generateKeyPairSync('ed25519');
const children: ChildProcess[] = [];
const artifacts: Record<string, string> = {};
let baseVersion = '';
let template = '';

/** better-sqlite3's binary of this machine as a local prebuild (see release.e2e.test.ts): `npm ci` stays fast. */
async function localPrebuilds(): Promise<string> {
  const dir = join(work, 'prebuilds');
  const pkg = join(repoRoot, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir);
  await run('tar', ['-czf', join(dir, name), '-C', pkg, 'build/Release/better_sqlite3.node']);
  return dir;
}

/**
 * A variant of the real artifact: the same tree under `locker-<version>/` with that version in
 * device/package.json (what presence reports), optionally changed, packed the same way.
 */
async function variant(version: string, change?: (dir: string) => void): Promise<string> {
  const stage = join(work, `variant-${version}`);
  mkdirSync(stage);
  await run('tar', ['-xzf', artifacts[baseVersion]!, '-C', stage]);
  const dir = join(stage, `locker-${version}`);
  await run('mv', [join(stage, `locker-${baseVersion}`), dir]);
  const pkgFile = join(dir, 'device', 'package.json');
  writeFileSync(pkgFile, JSON.stringify({ ...JSON.parse(readFileSync(pkgFile, 'utf8')), version }, null, 2));
  change?.(dir);
  const tarball = join(work, 'release', `locker-${version}.tar.gz`);
  await run('tar', ['-czf', tarball, '-C', stage, `locker-${version}`]);
  return tarball;
}

/** One locker: a simulated cabinet, an install root with `current`, and a supervisor that restarts it on exit 75 as systemd does. */
class SupervisedLocker {
  readonly root: string;
  readonly simulator = new Simulator({ protocol: 'cu16', boards: 2, inputs: false });
  /** Every start, in order: which version `current` pointed at. */
  starts: string[] = [];
  kioskUrl = '';
  log = '';
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(
    readonly id: string,
    private readonly order: string[],
  ) {
    this.root = join(work, id);
  }

  async install(fleetHttp: string, brokerUrl: string, credentials: { password: string; codeKey: string }) {
    mkdirSync(join(this.root, 'releases'), { recursive: true });
    await run('cp', ['-al', template, join(this.root, 'releases', baseVersion)]);
    symlinkSync(join('releases', baseVersion), join(this.root, 'current'));
    const sim = await this.simulator.start();
    const config = parse(readFileSync(join(template, 'examples', 'locker.example.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    Object.assign(config, {
      lockerId: this.id,
      mode: 'development',
      bus: { ...(config.bus as object), transport: sim.tty },
      inputs: {},
      gpio: { driver: 'soft' },
      fleet: { url: brokerUrl, username: this.id, password: { env: 'LOCKER_FLEET_PASSWORD' } },
      secrets: { codeKey: { env: 'LOCKER_CODE_KEY' }, auditKey: { env: 'LOCKER_AUDIT_KEY' } },
      store: { path: join(this.root, 'device.db') },
      kiosk: { host: '127.0.0.1', port: 0 },
      timing: { doorReminderMs: 60_000, doorAlarmMs: 600_000, inactivityMs: 60_000, telemetryMs: 60_000 },
      updates: {
        publicKeys: [releaseKey.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
        downloadUrl: fleetHttp,
        installRoot: this.root,
        healthGateMs,
        idleQuietMs: 1000,
        window: { startHour: 0, endHour: 24 },
      },
    });
    writeFileSync(join(this.root, 'locker.yaml'), stringify(config));
    this.env = {
      PATH: process.env.PATH ?? '',
      LOCKER_FLEET_PASSWORD: credentials.password,
      LOCKER_CODE_KEY: credentials.codeKey,
      LOCKER_AUDIT_KEY: secret,
    };
  }

  private env: Record<string, string> = {};

  get version(): string {
    return basename(readlinkSync(join(this.root, 'current')));
  }

  /** Starts `current` as locker.service does (plain node) and again whenever it exits with 75. */
  start(): void {
    const version = this.version;
    this.starts.push(version);
    this.order.push(`${this.id}@${version}`);
    const child = spawn(
      process.execPath,
      [
        join(this.root, 'current', 'device', 'dist', 'cli', 'device.js'),
        '--config',
        join(this.root, 'locker.yaml'),
      ],
      { cwd: this.root, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    children.push(child);
    child.stderr!.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-30_000);
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      this.kioskUrl = (JSON.parse(line) as { kioskUrl: string }).kioskUrl;
    });
    child.once('exit', (code) => {
      if (!this.stopping && code === 75) this.start();
      else if (!this.stopping) this.log += `\n[exited ${code}]`;
    });
  }

  async health(): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.kioskUrl}/healthz`);
    return (await response.json()) as Record<string, unknown>;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await this.simulator.stop();
  }
}

let fleet: FleetProcess;
let http = '';
let session: Record<string, string> = {};
const order: string[] = [];
const lockers: SupervisedLocker[] = [];

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${http}${path}`, {
    method,
    headers: {
      ...session,
      ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined
      ? {}
      : { body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function upload(version: string): Promise<void> {
  const tarball = artifacts[version]!;
  const signed = await signArtifact(tarball, releaseKey.privateKey, new Date());
  await api('PUT', `/api/releases/locker/${version}`, readFileSync(tarball), {
    'content-type': 'application/octet-stream',
    'x-signed-manifest': Buffer.from(JSON.stringify(signed)).toString('base64'),
  });
}

interface RolloutView {
  id: string;
  state: string;
  stage: number;
  stoppedReason: string | null;
  lockers: { lockerId: string; stage: number; state: string; code: string | null }[];
}

async function rollout(id: string): Promise<RolloutView> {
  const all = (await api('GET', '/api/rollouts')) as unknown as RolloutView[];
  return all.find((r) => r.id === id)!;
}

async function untilRollout(
  id: string,
  check: (view: RolloutView) => boolean,
  what: string,
): Promise<RolloutView> {
  let last: RolloutView | undefined;
  await vi
    .waitFor(
      async () => {
        last = await rollout(id);
        if (!check(last)) throw new Error(`${what}: ${JSON.stringify(last)}`);
      },
      { timeout: timeouts.stepMs, interval: 250 },
    )
    .catch((error) => {
      for (const locker of lockers)
        process.stderr.write(`--- ${locker.id} ---\n${locker.log.slice(-4000)}\n`);
      throw error;
    });
  return last!;
}

beforeAll(async () => {
  requireBuilt(repoRoot);
  const [tarball, prebuilds] = await Promise.all([
    buildReleaseArtifact(lockerRole, join(work, 'release')),
    localPrebuilds(),
  ]);
  baseVersion = /locker-(.+)\.tar\.gz$/.exec(tarball)![1]!;
  artifacts[baseVersion] = tarball;
  await run('tar', ['-xzf', tarball, '-C', work]);
  template = join(work, `locker-${baseVersion}`);
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: template,
    env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
    maxBuffer: 16 * 2 ** 20,
  });
  artifacts['0.2.0'] = await variant('0.2.0');
  artifacts['0.2.1'] = await variant('0.2.1');
  // a runtime that never reports healthy: its lock bus health is forced off
  artifacts['0.3.0'] = await variant('0.3.0', (dir) => {
    const file = join(dir, 'device', 'dist', 'runtime', 'device.js');
    const source = readFileSync(file, 'utf8');
    const patched = source.replace('ok: problems.length === 0,', 'ok: false,');
    if (patched === source) throw new Error('device.js no longer has the health line this variant breaks');
    writeFileSync(file, patched);
  });

  fleet = new FleetProcess(
    'http: { host: 127.0.0.1, port: 0 }\nmqtt: { broker: embedded, host: 127.0.0.1, port: 0 }\n',
  );
  await fleet.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
  await fleet.admin(
    ['create-user', '--username', 'release-admin', '--role', 'admin', '--municipality', '*'],
    {
      FLEET_NEW_USER_PASSWORD: adminPassword,
    },
  );
  const credentials: Record<string, { password: string; codeKey: string }> = {};
  for (const id of ['ieper-a', 'ieper-b', 'ieper-c']) {
    const provisioned = JSON.parse(
      await fleet.admin(['provision-locker', '--id', id, '--municipality', 'ieper', '--name', id]),
    ) as { mqtt: { password: string }; codeKey: string };
    credentials[id] = { password: provisioned.mqtt.password, codeKey: provisioned.codeKey };
  }
  const served = await fleet.serve();
  http = served.httpUrl;
  const login = await fetch(`${http}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'release-admin', password: adminPassword }),
  });
  session = {
    cookie: String(login.headers.get('set-cookie')).split(';')[0]!,
    'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken,
  };
  for (const id of ['ieper-a', 'ieper-b', 'ieper-c']) {
    const locker = new SupervisedLocker(id, order);
    await locker.install(http, served.brokerUrl, credentials[id]!);
    lockers.push(locker);
    locker.start();
  }
  await vi.waitFor(
    async () => {
      for (const locker of lockers) {
        const health = await locker.health();
        if (health.ok !== true || health.fleetConnected !== true)
          throw new Error(`${locker.id}: ${JSON.stringify(health)}`);
      }
    },
    { timeout: timeouts.stepMs, interval: 250 },
  );
  for (const version of ['0.2.0', '0.2.1', '0.3.0']) await upload(version);
}, timeouts.prepareMs);

afterAll(async () => {
  for (const locker of lockers) await locker.stop().catch(() => {});
  await fleet?.stop();
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}, timeouts.stopMs);

describe('signed releases rolled out from a fleet process to three lockers on the simulator', () => {
  it(
    'rolls 0.2.0 out stage by stage; a locker with a door open in a session waits until it is closed',
    async () => {
      const [a, b, c] = lockers as [SupervisedLocker, SupervisedLocker, SupervisedLocker];
      // a door of b opened in a session (a remote open: the same door session a pickup holds)
      await api('POST', `/api/lockers/${b.id}/commands`, {
        type: 'open',
        compartment: 1,
        reason: 'update e2e: door open',
      });
      await vi.waitFor(async () => expect((await b.health()).openDoors).toBe(1), {
        timeout: timeouts.stepMs,
      });
      const { id } = await api('POST', '/api/rollouts', {
        version: '0.2.0',
        target: { municipality: 'ieper' },
        stages: [{ lockers: 1 }, { lockers: 1 }, { percent: 100 }],
      });
      const waiting = await untilRollout(
        String(id),
        (view) => view.lockers.find((l) => l.lockerId === b.id)?.state === 'waiting',
        'b waits with its door open',
      );
      expect(waiting.lockers.find((l) => l.lockerId === a.id)?.state).toBe('healthy');
      expect(waiting.lockers.find((l) => l.lockerId === c.id)?.state).toBe('pending');
      expect(b.version).toBe(baseVersion);
      expect((await b.health()).openDoors).toBe(1);
      order.push('b-door-closed');
      b.simulator.act(0, 1, 'close');
      const done = await untilRollout(String(id), (view) => view.state === 'done', 'rollout done');
      expect(done.lockers.map((l) => l.state)).toEqual(['healthy', 'healthy', 'healthy']);
      expect(order.filter((entry) => entry.includes('@0.2.0') || entry === 'b-door-closed')).toEqual([
        'ieper-a@0.2.0',
        'b-door-closed',
        'ieper-b@0.2.0',
        'ieper-c@0.2.0',
      ]);
      for (const locker of lockers) expect(locker.version).toBe('0.2.0');
      const listed = (await api('GET', '/api/lockers')) as unknown as { id: string; software: string }[];
      expect(listed.map((l) => l.software)).toEqual(['0.2.0', '0.2.0', '0.2.0']);
    },
    timeouts.testMs,
  );

  it(
    'a locker refuses an artifact altered on the fleet: reported, never unpacked, the rollout stopped',
    async () => {
      const c = lockers[2]!;
      const stored = join(fleet.dir, 'releases', 'locker-0.2.1.tar.gz');
      const bytes = readFileSync(stored);
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
      writeFileSync(stored, bytes);
      const { id } = await api('POST', '/api/rollouts', { version: '0.2.1', target: { lockers: [c.id] } });
      const stopped = await untilRollout(String(id), (view) => view.state === 'stopped', 'rollout stopped');
      expect(stopped.lockers).toMatchObject([{ lockerId: c.id, state: 'refused', code: 'DIGEST_MISMATCH' }]);
      expect(stopped.stoppedReason).toBe(`${c.id}: refused (DIGEST_MISMATCH)`);
      expect(c.version).toBe('0.2.0');
      expect(() => readlinkSync(join(c.root, 'releases', '0.2.1'))).toThrow();
    },
    timeouts.testMs,
  );

  it(
    'a release whose runtime fails its health check is rolled back on every locker of its stage and stops the rollout',
    async () => {
      const [a, b, c] = lockers as [SupervisedLocker, SupervisedLocker, SupervisedLocker];
      const { id } = await api('POST', '/api/rollouts', {
        version: '0.3.0',
        target: { municipality: 'ieper' },
        stages: [{ lockers: 2 }, { percent: 100 }],
      });
      const stopped = await untilRollout(
        String(id),
        (view) =>
          view.state === 'stopped' &&
          view.lockers.filter((l) => l.state === 'update_rolled_back').length === 2,
        'both lockers of the first stage rolled back',
      );
      expect(stopped.stage).toBe(0);
      expect(stopped.lockers.map((l) => [l.lockerId, l.state])).toEqual([
        [a.id, 'update_rolled_back'],
        [b.id, 'update_rolled_back'],
        [c.id, 'pending'],
      ]);
      for (const locker of [a, b]) {
        expect(locker.starts.slice(-2)).toEqual(['0.3.0', '0.2.0']);
        expect(locker.version).toBe('0.2.0');
      }
      expect(c.starts.includes('0.3.0')).toBe(false);
      await vi.waitFor(
        async () => {
          for (const locker of lockers) expect((await locker.health()).ok).toBe(true);
        },
        { timeout: timeouts.stepMs },
      );
    },
    timeouts.testMs,
  );
});
