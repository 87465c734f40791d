import { delayAfter, type LockoutPolicy, type LockoutState, noLockout } from './lockout.ts';

/**
 * A lockout state as persisted. In memory its times are monotonic milliseconds; on disk they are
 * kept with the boot they belong to and both clocks at the save, so that a restart changes nothing:
 * - same boot (a process restart): CLOCK_MONOTONIC counts on from boot, the times are used as they are;
 * - another boot (power cut, reboot): the time since the save is taken from the wall clock, never
 *   less than 0 (a clock stepped back counts as no time passed);
 * - a record written before this format (wall-clock times) is read as a save from another boot.
 * In every case no wait ends later than its run's delay after its last wrong code and no
 * wrong code lies in the future, so a stepped clock can never turn a 5 s wait into 2 h. Only a
 * forward step that coincides with a reboot can shorten a wait, by the size of the step.
 */
export interface LockoutRecord {
  v: 2;
  bootId: string;
  savedAtWall: number;
  savedAtMonotonic: number;
  state: LockoutState;
}

export interface RecordClock {
  wall: number;
  monotonic: number;
  bootId: string;
}

export function toRecord(state: LockoutState, now: RecordClock): LockoutRecord {
  return { v: 2, bootId: now.bootId, savedAtWall: now.wall, savedAtMonotonic: now.monotonic, state };
}

export function fromRecord(saved: unknown, now: RecordClock, policy: LockoutPolicy): LockoutState {
  if (!saved || typeof saved !== 'object') return noLockout;
  const record: LockoutRecord =
    'v' in saved && saved.v === 2
      ? (saved as LockoutRecord)
      : { v: 2, bootId: '', savedAtWall: 0, savedAtMonotonic: 0, state: saved as LockoutState };
  const state: LockoutState = { ...noLockout, ...record.state };
  if (record.bootId === now.bootId) return clampToNow(state, now.monotonic, policy);
  const elapsed = Math.max(0, now.wall - record.savedAtWall);
  const shift = now.monotonic - elapsed - record.savedAtMonotonic;
  const moved = (at: number) => at + shift;
  return clampToNow(
    {
      failures: state.failures,
      lastFailureAt: moved(state.lastFailureAt),
      lockedUntil: moved(state.lockedUntil),
      recent: state.recent.map(moved),
      alarmedAt: Object.fromEntries(
        Object.entries(state.alarmedAt).map(([alarm, at]) => [alarm, moved(at)]),
      ) as LockoutState['alarmedAt'],
    },
    now.monotonic,
    policy,
  );
}

function clampToNow(state: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  const past = (at: number) => Math.min(at, now);
  const lastFailureAt = past(state.lastFailureAt);
  return {
    failures: state.failures,
    lastFailureAt,
    lockedUntil: Math.min(state.lockedUntil, lastFailureAt + delayAfter(state.failures, policy)),
    recent: state.recent.map(past),
    alarmedAt: Object.fromEntries(
      Object.entries(state.alarmedAt).map(([alarm, at]) => [alarm, past(at)]),
    ) as LockoutState['alarmedAt'],
  };
}
