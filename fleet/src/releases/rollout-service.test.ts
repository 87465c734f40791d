import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpdateCommand, UpdateState } from '@locker/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fleetAuditKey } from '../store/audit-chain.ts';
import { FleetStore } from '../store/fleet-store.ts';
import { ReleaseRepo } from './release-repo.ts';
import { planStages } from './rollout-plan.ts';
import { RolloutRepo } from './rollout-repo.ts';
import { RolloutService } from './rollout-service.ts';

let dir: string;
let store: FleetStore;
let sent: { lockerId: string; command: UpdateCommand }[];
let service: RolloutService;
const lockerIds = Array.from({ length: 20 }, (_, i) => `ieper-${String(i + 1).padStart(2, '0')}`);
const signed = {
  manifest: {
    v: 1 as const,
    role: 'locker' as const,
    version: '0.2.0',
    sha256: 'a'.repeat(64),
    size: 10,
    signedAt: '2026-11-25T10:00:00Z',
  },
  keyId: '0123456789abcdef',
  signature: `${'A'.repeat(86)}==`,
};

function status(lockerId: string, rolloutId: string, state: UpdateState, code?: string) {
  service.observe(lockerId, {
    v: 1,
    rolloutId,
    version: '0.2.0',
    state,
    running: state === 'healthy' ? '0.2.0' : '0.1.0',
    ...(code ? { code } : {}),
    at: new Date().toISOString(),
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollouts-'));
  store = FleetStore.open(join(dir, 'fleet.db'), { auditKey: fleetAuditKey('m'.repeat(48)) });
  store.directory.upsertMunicipality('ieper', 'Ieper');
  store.directory.upsertMunicipality('poperinge', 'Poperinge');
  const locker = { siteId: null, mqttHash: 'hash', codeKeyBox: 'box', createdAt: '2026-11-25T09:00:00Z' };
  for (const id of lockerIds) store.lockers.insert({ ...locker, id, municipalityId: 'ieper', name: id });
  store.lockers.insert({ ...locker, id: 'poperinge-1', municipalityId: 'poperinge', name: 'p' });
  const releases = new ReleaseRepo(store.db);
  releases.add({
    version: '0.2.0',
    role: 'locker',
    sha256: 'a'.repeat(64),
    size: 10,
    signed,
    uploadedBy: 'user:admin',
    uploadedAt: '2026-11-25T10:00:00Z',
  });
  sent = [];
  service = new RolloutService({
    store,
    releases,
    rollouts: new RolloutRepo(store.db),
    send: (lockerId, command) => {
      sent.push({ lockerId, command });
      return true;
    },
    live: () => {},
    logger: pino({ level: 'silent' }),
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('staged rollouts', () => {
  it('plans 1 locker, then up to 10 %, then all', () => {
    expect(
      planStages(lockerIds, [{ lockers: 1 }, { percent: 10 }, { percent: 100 }]).map((s) => s.length),
    ).toEqual([1, 1, 18]);
    expect(
      planStages(lockerIds.slice(0, 3), [{ lockers: 1 }, { percent: 10 }, { percent: 100 }]).map(
        (s) => s.length,
      ),
    ).toEqual([1, 1, 1]);
    expect(planStages(['a'], [{ lockers: 1 }, { percent: 10 }, { percent: 100 }])).toEqual([['a']]);
  });

  it('sends each stage only after every locker of the one before reported healthy, and ends done', () => {
    const rollout = service.create({
      version: '0.2.0',
      target: { municipality: 'ieper' },
      stages: [{ lockers: 1 }, { percent: 10 }, { percent: 100 }],
      by: 'user:admin',
    });
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01']);
    expect(sent[0]?.command).toEqual({ v: 1, rolloutId: rollout.id, release: signed });
    status('ieper-01', rollout.id, 'switching');
    expect(sent).toHaveLength(1);
    status('ieper-01', rollout.id, 'healthy');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01', 'ieper-02']);
    status('ieper-02', rollout.id, 'healthy');
    expect(sent).toHaveLength(20);
    for (const id of lockerIds.slice(2)) status(id, rollout.id, 'healthy');
    expect(service.overview()[0]).toMatchObject({ state: 'done', stage: 2 });
    expect(store.audit.list({ municipalities: 'all', limit: 10 }).map((a) => a.action)).toContain(
      'rollout.create',
    );
  });

  it('stops at the stage where a locker rolled back, with the reason, and sends nothing more', () => {
    const rollout = service.create({
      version: '0.2.0',
      target: { lockers: lockerIds.slice(0, 4) },
      stages: [{ lockers: 1 }, { percent: 100 }],
      by: 'user:admin',
    });
    status('ieper-01', rollout.id, 'healthy');
    expect(sent).toHaveLength(4);
    status('ieper-03', rollout.id, 'update_rolled_back', 'UNHEALTHY');
    status('ieper-02', rollout.id, 'healthy');
    status('ieper-04', rollout.id, 'healthy');
    const [overview] = service.overview();
    expect(overview).toMatchObject({
      state: 'stopped',
      stage: 1,
      stoppedReason: 'ieper-03: update_rolled_back (UNHEALTHY)',
    });
    expect(overview?.lockers.find((l) => l.lockerId === 'ieper-03')).toMatchObject({
      state: 'update_rolled_back',
      code: 'UNHEALTHY',
    });
  });

  it('holds the next stage while paused, sends it on resume, and sends nothing after an abort', () => {
    const rollout = service.create({
      version: '0.2.0',
      target: { lockers: lockerIds.slice(0, 3) },
      stages: [{ lockers: 1 }, { lockers: 1 }, { percent: 100 }],
      by: 'user:admin',
    });
    service.control(rollout.id, 'pause', 'user:admin');
    status('ieper-01', rollout.id, 'healthy');
    expect(sent).toHaveLength(1);
    service.control(rollout.id, 'resume', 'user:admin');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01', 'ieper-02']);
    service.control(rollout.id, 'abort', 'user:admin');
    status('ieper-02', rollout.id, 'healthy');
    expect(sent).toHaveLength(2);
    expect(() => service.control(rollout.id, 'resume', 'user:admin')).toThrow(/cannot resume/);
  });

  it('sends the command again to a locker of the current stage that comes online without having answered', () => {
    const rollout = service.create({
      version: '0.2.0',
      target: { lockers: lockerIds.slice(0, 2) },
      stages: [{ lockers: 1 }, { percent: 100 }],
      by: 'user:admin',
    });
    service.online('ieper-02');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01']);
    service.online('ieper-01');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01', 'ieper-01']);
    status('ieper-01', rollout.id, 'healthy');
    service.online('ieper-01');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01', 'ieper-01', 'ieper-02']);
  });

  it('does not send the command again to a locker that comes online while it switches to the new version', () => {
    const rollout = service.create({
      version: '0.2.0',
      target: { lockers: lockerIds.slice(0, 2) },
      stages: [{ lockers: 1 }, { percent: 100 }],
      by: 'user:admin',
    });
    status('ieper-01', rollout.id, 'switching');
    service.online('ieper-01');
    expect(sent.map((s) => s.lockerId)).toEqual(['ieper-01']);
  });
});
