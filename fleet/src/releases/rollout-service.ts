import { randomUUID } from 'node:crypto';
import type { UpdateCommand, UpdateStatus } from '@locker/protocol';
import type { Logger } from 'pino';
import type { LiveUpdate } from '../services/change-publisher.ts';
import { FleetError, notFound } from '../services/fleet-errors.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ReleaseRepo } from './release-repo.ts';
import { planStages, type Stage } from './rollout-plan.ts';
import type { RolloutLockerState, RolloutRecord, RolloutRepo, RolloutTarget } from './rollout-repo.ts';

/** What stops a rollout: a locker of its stage refused, failed or rolled back. */
const failures: readonly RolloutLockerState[] = ['refused', 'failed', 'update_rolled_back'];
/** Sent again when the locker comes online: it never answered, or lost its download with a restart. */
const resendable: readonly RolloutLockerState[] = ['pending', 'sent', 'waiting', 'downloading'];

export interface RolloutServiceDeps {
  store: FleetStore;
  releases: ReleaseRepo;
  rollouts: RolloutRepo;
  /** Publishes an update command (QoS 1); false when the link is down (sent again when the locker comes online). */
  send: (lockerId: string, command: UpdateCommand) => boolean;
  live: (update: LiveUpdate) => void;
  logger: Logger;
  now?: () => number;
}

/**
 * Staged rollouts: the targeted lockers in stages; a stage's lockers get the update command, the
 * next stage starts when every locker of this one reports healthy, and one that refuses, fails or
 * rolls back stops the rollout at its stage. Pause holds the next stage back; abort sends nothing more.
 */
export class RolloutService {
  constructor(private readonly deps: RolloutServiceDeps) {}

  create(input: {
    version: string;
    target: RolloutTarget;
    stages: readonly Stage[];
    by: string;
  }): RolloutRecord {
    const { store, releases, rollouts } = this.deps;
    const release = releases.get(input.version);
    if (release?.role !== 'locker') throw notFound(`locker release ${input.version}`);
    const lockerIds = this.targeted(input.target);
    if (lockerIds.length === 0)
      throw new FleetError('ROLLOUT_NO_LOCKERS', 'the target has no locker in service');
    const at = this.iso();
    const rollout: RolloutRecord = {
      id: randomUUID(),
      version: input.version,
      target: input.target,
      stages: [...input.stages],
      state: 'running',
      stage: 0,
      stoppedReason: null,
      createdBy: input.by,
      createdAt: at,
      updatedAt: at,
    };
    store.transaction(() => {
      rollouts.create(rollout, planStages(lockerIds, input.stages));
      store.audit.append(
        {
          actor: input.by,
          action: 'rollout.create',
          municipalityId: null,
          target: rollout.id,
          data: {
            version: input.version,
            target: input.target,
            stages: input.stages,
            lockers: lockerIds.length,
          },
        },
        at,
      );
    });
    this.sendStage(rollout.id);
    return rollout;
  }

  /** Pause, resume or abort, audited. */
  control(id: string, action: 'pause' | 'resume' | 'abort', by: string): RolloutRecord {
    const { store, rollouts } = this.deps;
    const rollout = rollouts.get(id);
    if (!rollout) throw notFound(`rollout ${id}`);
    const allowed = { pause: ['running'], resume: ['paused'], abort: ['running', 'paused'] }[action];
    if (!allowed.includes(rollout.state))
      throw new FleetError('ROLLOUT_STATE', `a ${rollout.state} rollout cannot ${action}`);
    const state = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'aborted';
    const at = this.iso();
    store.transaction(() => {
      rollouts.setState(id, { state }, at);
      store.audit.append(
        { actor: by, action: `rollout.${action}`, municipalityId: null, target: id, data: {} },
        at,
      );
    });
    if (state === 'running') this.advance(id);
    return rollouts.get(id) as RolloutRecord;
  }

  /** A locker's update status. */
  observe(lockerId: string, status: UpdateStatus): void {
    const { rollouts, logger } = this.deps;
    const rollout = rollouts.get(status.rolloutId);
    const part = rollout && rollouts.lockers(rollout.id).find((l) => l.lockerId === lockerId);
    if (!rollout || !part) {
      logger.warn(
        { lockerId, rolloutId: status.rolloutId },
        'update status for a rollout this locker is not in',
      );
      return;
    }
    const at = this.iso();
    rollouts.setLocker(
      rollout.id,
      lockerId,
      { state: status.state, code: status.code ?? null, message: status.message ?? null },
      at,
    );
    if (failures.includes(status.state) && (rollout.state === 'running' || rollout.state === 'paused')) {
      const reason = `${lockerId}: ${status.state}${status.code ? ` (${status.code})` : ''}`;
      rollouts.setState(rollout.id, { state: 'stopped', stoppedReason: reason }, at);
      logger.error({ rolloutId: rollout.id, stage: rollout.stage, reason }, 'rollout stopped');
    } else this.advance(rollout.id);
    this.deps.live({ kind: 'locker', lockerId });
  }

  /**
   * A locker came online: the command goes again if it never answered or was still downloading —
   * not while it switches (it is restarting into the new version, whose health gate reports).
   */
  online(lockerId: string): void {
    for (const rollout of this.deps.rollouts.activeFor(lockerId)) {
      if (rollout.state !== 'running') continue;
      const part = this.deps.rollouts.lockers(rollout.id).find((l) => l.lockerId === lockerId);
      if (part && part.stage <= rollout.stage && resendable.includes(part.state))
        this.sendTo(rollout, lockerId);
    }
  }

  /** Every rollout with its lockers, newest first (for the dashboard and the API). */
  overview() {
    return this.deps.rollouts
      .list()
      .map((rollout) => ({ ...rollout, lockers: this.deps.rollouts.lockers(rollout.id) }));
  }

  private advance(id: string): void {
    const { rollouts } = this.deps;
    const rollout = rollouts.get(id);
    if (rollout?.state !== 'running') return;
    const lockers = rollouts.lockers(id);
    const current = lockers.filter((l) => l.stage === rollout.stage);
    if (!current.every((l) => l.state === 'healthy')) return;
    const next = rollout.stage + 1;
    if (!lockers.some((l) => l.stage === next)) {
      rollouts.setState(id, { state: 'done' }, this.iso());
      return;
    }
    rollouts.setState(id, { state: 'running', stage: next }, this.iso());
    this.sendStage(id);
  }

  private sendStage(id: string): void {
    const rollout = this.deps.rollouts.get(id);
    if (!rollout) return;
    for (const part of this.deps.rollouts.lockers(id))
      if (part.stage === rollout.stage && part.state === 'pending') this.sendTo(rollout, part.lockerId);
  }

  private sendTo(rollout: RolloutRecord, lockerId: string): void {
    const release = this.deps.releases.get(rollout.version);
    if (!release) return;
    const sent = this.deps.send(lockerId, { v: 1, rolloutId: rollout.id, release: release.signed });
    const part = this.deps.rollouts.lockers(rollout.id).find((l) => l.lockerId === lockerId);
    if (sent && part?.state === 'pending')
      this.deps.rollouts.setLocker(rollout.id, lockerId, { state: 'sent' }, this.iso());
  }

  private targeted(target: RolloutTarget): string[] {
    const lockers = this.deps.store.lockers.list('all').filter((l) => !l.decommissionedAt);
    const chosen =
      'municipality' in target
        ? lockers.filter((l) => l.municipalityId === target.municipality)
        : 'site' in target
          ? lockers.filter((l) => l.siteId === target.site)
          : target.lockers.map((id) => lockers.find((l) => l.id === id) ?? notFoundLocker(id));
    return chosen.map((l) => l.id);
  }

  private iso(): string {
    return new Date(this.deps.now?.() ?? Date.now()).toISOString();
  }
}

function notFoundLocker(id: string): never {
  throw notFound(`locker ${id}`);
}
