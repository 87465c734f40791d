import type { UpdateState } from '@locker/protocol';
import type Database from 'better-sqlite3';
import type { Stage } from './rollout-plan.ts';

export type RolloutState = 'running' | 'paused' | 'aborted' | 'stopped' | 'done';
/** A locker's part: `pending` (its stage not reached), `sent`, then what the locker reports. */
export type RolloutLockerState = 'pending' | 'sent' | UpdateState;

export type RolloutTarget = { municipality: string } | { site: string } | { lockers: string[] };

export interface RolloutRecord {
  id: string;
  version: string;
  target: RolloutTarget;
  stages: Stage[];
  state: RolloutState;
  /** The stage under way (0-based); where a stopped rollout stopped. */
  stage: number;
  stoppedReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface RolloutLockerRecord {
  lockerId: string;
  stage: number;
  position: number;
  state: RolloutLockerState;
  code: string | null;
  message: string | null;
  updatedAt: string;
}

type RolloutRow = Omit<RolloutRecord, 'target' | 'stages'> & { target: string; stages: string };
const columns = `id, version, target, stages, state, stage, stopped_reason AS stoppedReason,
  created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt`;
const toRollout = (row: RolloutRow): RolloutRecord => ({
  ...row,
  target: JSON.parse(row.target) as RolloutTarget,
  stages: JSON.parse(row.stages) as Stage[],
});

export class RolloutRepo {
  constructor(private readonly db: Database.Database) {}

  create(rollout: RolloutRecord, stageLockers: readonly string[][]): void {
    this.db
      .prepare(
        `INSERT INTO rollouts (id, version, target, stages, state, stage, stopped_reason, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        rollout.id,
        rollout.version,
        JSON.stringify(rollout.target),
        JSON.stringify(rollout.stages),
        rollout.state,
        rollout.stage,
        rollout.stoppedReason,
        rollout.createdBy,
        rollout.createdAt,
        rollout.updatedAt,
      );
    const insert = this.db.prepare(
      `INSERT INTO rollout_lockers (rollout_id, locker_id, stage, position, state, updated_at)
       VALUES (?, ?, ?, ?, 'pending', ?)`,
    );
    let position = 0;
    for (const [stage, lockers] of stageLockers.entries())
      for (const lockerId of lockers) insert.run(rollout.id, lockerId, stage, position++, rollout.createdAt);
  }

  get(id: string): RolloutRecord | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM rollouts WHERE id = ?`).get(id) as
      | RolloutRow
      | undefined;
    return row ? toRollout(row) : undefined;
  }

  list(): RolloutRecord[] {
    return (
      this.db.prepare(`SELECT ${columns} FROM rollouts ORDER BY created_at DESC`).all() as RolloutRow[]
    ).map(toRollout);
  }

  /** Rollouts still under way (running or paused) that include a locker. */
  activeFor(lockerId: string): RolloutRecord[] {
    return (
      this.db
        .prepare(
          `SELECT ${columns} FROM rollouts WHERE state IN ('running','paused')
           AND id IN (SELECT rollout_id FROM rollout_lockers WHERE locker_id = ?)`,
        )
        .all(lockerId) as RolloutRow[]
    ).map(toRollout);
  }

  lockers(rolloutId: string): RolloutLockerRecord[] {
    return this.db
      .prepare(
        `SELECT locker_id AS lockerId, stage, position, state, code, message, updated_at AS updatedAt
         FROM rollout_lockers WHERE rollout_id = ? ORDER BY position`,
      )
      .all(rolloutId) as RolloutLockerRecord[];
  }

  setLocker(
    rolloutId: string,
    lockerId: string,
    change: { state: RolloutLockerState; code?: string | null; message?: string | null },
    at: string,
  ): void {
    this.db
      .prepare(
        'UPDATE rollout_lockers SET state = ?, code = ?, message = ?, updated_at = ? WHERE rollout_id = ? AND locker_id = ?',
      )
      .run(change.state, change.code ?? null, change.message ?? null, at, rolloutId, lockerId);
  }

  setState(
    id: string,
    change: { state: RolloutState; stage?: number; stoppedReason?: string },
    at: string,
  ): void {
    this.db
      .prepare(
        `UPDATE rollouts SET state = ?, stage = COALESCE(?, stage), stopped_reason = COALESCE(?, stopped_reason),
         updated_at = ? WHERE id = ?`,
      )
      .run(change.state, change.stage ?? null, change.stoppedReason ?? null, at, id);
  }
}
