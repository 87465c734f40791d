import type { Logger } from 'pino';
import type { FleetStore } from '../store/fleet-store.ts';
import { type AuditHeadVerdict, checkAuditHead, type ReportedAuditHead } from './audit-head-check.ts';

/**
 * Keeps each locker's last audit chain head and raises `audit_fork` (alarm list, error log) when a
 * reported head does not extend it. The new head is kept either way: later heads are checked
 * against what the locker holds now, and the alarm stays until IT acknowledges it.
 */
export class AuditHeadWatch {
  readonly counters = { forks: 0, unverifiable: 0 };

  constructor(
    private readonly store: FleetStore,
    private readonly logger: Logger,
  ) {}

  observe(lockerId: string, head: ReportedAuditHead, at: string): AuditHeadVerdict {
    const { store } = this;
    const previous = store.auditHeads.last(lockerId);
    const verdict = checkAuditHead(previous, head);
    store.transaction(() => {
      if (verdict.kind === 'fork')
        store.lockers.insertAlarm({
          id: `audit_fork:${lockerId}:${head.seq}:${head.hash}`,
          lockerId,
          compartment: null,
          kind: 'alarm',
          code: 'audit_fork',
          at,
        });
      store.auditHeads.set(lockerId, { seq: head.seq, hash: head.hash, keyedFromSeq: head.keyedFromSeq, at });
    });
    if (verdict.kind === 'fork') {
      this.counters.forks++;
      this.logger.error(
        { lockerId, previous, head: { seq: head.seq, hash: head.hash }, why: verdict.why },
        'audit_fork: the locker’s audit log was rewritten',
      );
    } else if (verdict.kind === 'unverifiable') {
      this.counters.unverifiable++;
      this.logger.warn(
        { lockerId, previous, head: { seq: head.seq, hash: head.hash } },
        'audit head too far ahead of the last one to check the link',
      );
    }
    return verdict;
  }
}
