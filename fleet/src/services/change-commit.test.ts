import type { ReservationChange } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { ChangeCommit } from './change-commit.ts';
import type { LiveUpdate } from './change-publisher.ts';

const change = (version: number): ReservationChange => ({
  v: 1,
  version,
  kind: 'remove',
  reservationId: 'r-1',
});

function rig() {
  const log: string[] = [];
  const commit = new ChangeCommit({
    store: {
      transaction: <T>(work: () => T): T => {
        log.push('begin');
        const result = work();
        log.push('commit');
        return result;
      },
    },
    publisher: { sendChange: (lockerId, c) => log.push(`send ${lockerId} v${c.version}`) },
    live: (update: LiveUpdate) => log.push(`live ${update.kind}`),
  });
  return { commit, log };
}

describe('commit and publish', () => {
  it('publishes the changes in the order logged, then the live updates, only after the commit', () => {
    const { commit, log } = rig();
    const result = commit.commitAndPublish((out) => {
      out.live({ kind: 'locker', lockerId: 'ieper-1' });
      out.publish({ lockerId: 'ieper-1', change: change(1) });
      out.publish({ lockerId: 'ieper-1', change: change(2) });
      log.push('work');
      return 'done';
    });
    expect(result).toBe('done');
    expect(log).toEqual(['begin', 'work', 'commit', 'send ieper-1 v1', 'send ieper-1 v2', 'live locker']);
  });

  it('announces nothing from a work that throws (its transaction rolled back)', () => {
    const { commit, log } = rig();
    expect(() =>
      commit.commitAndPublish((out) => {
        out.publish({ lockerId: 'ieper-1', change: change(1) });
        out.live({ kind: 'locker', lockerId: 'ieper-1' });
        throw new Error('PIN_SPACE_EXHAUSTED');
      }),
    ).toThrow('PIN_SPACE_EXHAUSTED');
    expect(log).toEqual(['begin']);
  });
});
