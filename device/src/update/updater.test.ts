import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpdateStatus } from '@locker/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signArtifact } from '../../../scripts/artifact-signing.ts';
import { InstallLayout } from './install-layout.ts';
import { RangeServer } from './testing/range-server.ts';
import { updateConfigSchema } from './update-config.ts';
import { readUpdateRecord, writeUpdateRecord } from './update-state.ts';
import { Updater } from './updater.ts';

const releaseKey = generateKeyPairSync('ed25519');
const logger = pino({ level: 'silent' });
const night = new Date(2026, 10, 25, 2, 30);
const noon = new Date(2026, 10, 25, 12, 0);
let work: string;

/** A release artifact in the real format: one `locker-<version>/` directory, gzipped tar. */
function buildArtifact(version: string): string {
  const stage = join(work, `stage-${version}`, `locker-${version}`);
  mkdirSync(join(stage, 'device'), { recursive: true });
  writeFileSync(join(stage, 'device', 'package.json'), JSON.stringify({ version }));
  writeFileSync(join(stage, 'package-lock.json'), '{"lockfileVersion":3}');
  const file = join(work, `locker-${version}.tar.gz`);
  execFileSync('tar', ['-czf', file, '-C', join(work, `stage-${version}`), `locker-${version}`]);
  return file;
}

function rig(serverUrl: string, options: { idle?: () => boolean; now?: () => Date; running?: string } = {}) {
  const layout = new InstallLayout(join(work, 'install'));
  mkdirSync(join(layout.releaseDir('0.1.0'), 'node_modules', 'zod'), { recursive: true });
  writeFileSync(join(layout.releaseDir('0.1.0'), 'package-lock.json'), '{"lockfileVersion":3}');
  layout.switchTo('0.1.0');
  const reports: UpdateStatus[] = [];
  const restart = vi.fn(async () => {});
  const backup = vi.fn(async (target: string) => {
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, 'db');
  });
  const updater = new Updater({
    config: updateConfigSchema.parse({
      publicKeys: [releaseKey.publicKey.export({ type: 'spki', format: 'pem' }).toString()],
      downloadUrl: serverUrl,
    }),
    layout,
    keys: [releaseKey.publicKey],
    running: options.running ?? '0.1.0',
    isIdle: options.idle ?? (() => true),
    now: options.now ?? (() => night),
    backup,
    report: async (status) => {
      reports.push(status);
      return true;
    },
    restart,
    logger,
    timeouts: { idleRetryMs: 50 },
  });
  updater.start();
  return { layout, reports, restart, backup, updater };
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'updater-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('updater on the locker', () => {
  it('downloads, verifies, unpacks beside the running release, backs up, switches current and restarts', async () => {
    const artifact = buildArtifact('0.2.0');
    const release = await signArtifact(artifact, releaseKey.privateKey, night);
    const server = new RangeServer(readFileSync(artifact));
    const { layout, reports, restart, backup, updater } = rig(await server.start());
    try {
      await updater.handle({ v: 1, rolloutId: 'r1', release });
      expect(server.requests.map((r) => r.url)).toEqual(['/api/releases/locker/0.2.0/artifact']);
      expect(readlinkSync(layout.current)).toBe(join('releases', '0.2.0'));
      expect(existsSync(join(layout.releaseDir('0.2.0'), 'device', 'package.json'))).toBe(true);
      // same lockfile as the running release: its node_modules, no npm ci
      expect(existsSync(join(layout.releaseDir('0.2.0'), 'node_modules', 'zod'))).toBe(true);
      expect(existsSync(layout.releaseDir('0.1.0'))).toBe(true);
      expect(backup).toHaveBeenCalledWith(layout.backup('0.2.0'));
      expect(readUpdateRecord(layout.stateFile)).toMatchObject({
        rolloutId: 'r1',
        version: '0.2.0',
        previous: '0.1.0',
        phase: 'switched',
      });
      expect(restart).toHaveBeenCalledTimes(1);
      expect(reports.map((r) => r.state)).toEqual(['downloading', 'switching']);
    } finally {
      updater.stop();
      await server.stop();
    }
  });

  it('refuses a tampered artifact after download: never unpacked, current unchanged, no restart', async () => {
    const artifact = buildArtifact('0.2.0');
    const release = await signArtifact(artifact, releaseKey.privateKey, night);
    const tampered = readFileSync(artifact);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10] ?? 0) ^ 0xff;
    const server = new RangeServer(tampered);
    const { layout, reports, restart, updater } = rig(await server.start());
    try {
      await updater.handle({ v: 1, rolloutId: 'r1', release });
      expect(reports.at(-1)).toMatchObject({ state: 'refused', code: 'DIGEST_MISMATCH' });
      expect(existsSync(layout.releaseDir('0.2.0'))).toBe(false);
      expect(existsSync(layout.download('0.2.0'))).toBe(false);
      expect(readlinkSync(layout.current)).toBe(join('releases', '0.1.0'));
      expect(restart).not.toHaveBeenCalled();
    } finally {
      updater.stop();
      await server.stop();
    }
  });

  it('refuses a manifest signed by another key before downloading anything', async () => {
    const artifact = buildArtifact('0.2.0');
    const release = await signArtifact(artifact, generateKeyPairSync('ed25519').privateKey, night);
    const server = new RangeServer(readFileSync(artifact));
    const { reports, restart, updater } = rig(await server.start());
    try {
      await updater.handle({ v: 1, rolloutId: 'r1', release });
      expect(reports).toMatchObject([{ state: 'refused', code: 'SIGNATURE_UNKNOWN_KEY' }]);
      expect(server.requests).toEqual([]);
      expect(restart).not.toHaveBeenCalled();
    } finally {
      updater.stop();
      await server.stop();
    }
  });

  it('waits outside the maintenance window and while the locker is busy, then switches once idle at night', async () => {
    const artifact = buildArtifact('0.2.0');
    const release = await signArtifact(artifact, releaseKey.privateKey, night);
    const server = new RangeServer(readFileSync(artifact));
    let now = noon;
    let idle = false;
    let looks = 0;
    const { layout, reports, restart, updater } = rig(await server.start(), {
      idle: () => {
        looks++;
        return idle;
      },
      now: () => now,
    });
    try {
      await updater.handle({ v: 1, rolloutId: 'r1', release });
      expect(reports.map((r) => r.state)).toEqual(['downloading', 'waiting']);
      now = night; // in the window, but a citizen session is open
      await vi.waitFor(() => expect(looks).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
      expect(restart).not.toHaveBeenCalled();
      expect(readlinkSync(layout.current)).toBe(join('releases', '0.1.0'));
      idle = true;
      await vi.waitFor(() => expect(restart).toHaveBeenCalledTimes(1), { timeout: 10_000 });
      expect(readlinkSync(layout.current)).toBe(join('releases', '0.2.0'));
      expect(reports.map((r) => r.state)).toEqual(['downloading', 'waiting', 'switching']);
    } finally {
      updater.stop();
      await server.stop();
    }
  });

  it('installs nothing and reports nothing for a release rolled back here, or the one it runs on probation', async () => {
    const artifact = buildArtifact('0.2.0');
    const release = await signArtifact(artifact, releaseKey.privateKey, night);
    const server = new RangeServer(readFileSync(artifact));
    const url = await server.start();
    try {
      for (const [phase, running] of [
        ['rolled_back', '0.1.0'],
        ['switched', '0.2.0'],
      ] as const) {
        const { layout, reports, restart, updater } = rig(url, { running });
        writeUpdateRecord(layout.stateFile, {
          rolloutId: 'r1',
          version: '0.2.0',
          previous: '0.1.0',
          phase,
          attempts: 1,
          backup: layout.backup('0.2.0'),
          reported: false,
        });
        await updater.handle({ v: 1, rolloutId: 'r1', release });
        updater.stop();
        expect(reports, phase).toEqual([]);
        expect(restart).not.toHaveBeenCalled();
      }
      expect(server.requests).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
