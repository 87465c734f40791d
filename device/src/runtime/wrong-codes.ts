import {
  type LockoutBlock,
  type LockoutPolicy,
  type LockoutState,
  lockoutBlock,
  recordFailure,
} from '../flows/lockout.ts';
import { fromRecord, type RecordClock, toRecord } from '../flows/lockout-record.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { type Clock, instantOf } from './clock.ts';
import type { GuessCounter } from './code-resolver.ts';
import type { EventRecorder } from './event-recorder.ts';

export type ClosedBlock = Exclude<LockoutBlock, { kind: 'open' }>;

const alarmCodes = {
  citizen: { wrong_codes: 'wrong_codes', entry_suspended: 'pin_entry_suspended' },
  staff: { wrong_codes: 'wrong_staff_codes', entry_suspended: 'staff_entry_suspended' },
} as const;

/** Citizens' and staff's wrong codes are counted apart: citizens' mistakes never lock staff out. */
const lockoutKeys: Record<GuessCounter, string> = { citizen: 'lockout', staff: 'lockout_staff' };

/**
 * The wrong-code counters of the locker, persisted with their boot and both clocks: a restart or
 * a stepped clock neither ends nor stretches a wait. A wrong code is never forgiven by a right
 * one: only time lowers the counts.
 */
export class WrongCodes {
  constructor(
    private readonly deps: {
      store: DeviceStore;
      recorder: EventRecorder;
      clock: Clock;
      policy: LockoutPolicy;
    },
  ) {}

  /** Why a code of this counter is not evaluated now; null when it may be. */
  blocked(counter: GuessCounter): ClosedBlock | null {
    return this.closed(this.state(counter));
  }

  /** Counts one wrong code (an event, or an alarm at a threshold); returns the block it leads to. */
  count(counter: GuessCounter): ClosedBlock | null {
    const { clock, policy, store, recorder } = this.deps;
    const verdict = recordFailure(this.state(counter), clock.monotonic(), policy);
    store.transaction(() => {
      store.setMeta(lockoutKeys[counter], JSON.stringify(toRecord(verdict.state, this.recordClock())));
      const counts = { counter, failures: verdict.state.failures, inWindow: verdict.inWindow };
      if (verdict.alarm)
        recorder.record('alarm', {
          data: { code: alarmCodes[counter][verdict.alarm], ...counts, delayS: verdict.delayMs / 1000 },
        });
      else recorder.record('code_rejected', { data: counts });
    });
    return this.closed(verdict.state);
  }

  private closed(state: LockoutState): ClosedBlock | null {
    const block = lockoutBlock(state, this.deps.clock.monotonic(), this.deps.policy);
    return block.kind === 'open' ? null : block;
  }

  private state(counter: GuessCounter): LockoutState {
    const saved = this.deps.store.getMeta(lockoutKeys[counter]);
    return fromRecord(saved ? JSON.parse(saved) : null, this.recordClock(), this.deps.policy);
  }

  private recordClock(): RecordClock {
    const { clock } = this.deps;
    return { ...instantOf(clock), bootId: clock.bootId() };
  }
}
