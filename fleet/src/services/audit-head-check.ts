import type { Telemetry } from '@locker/protocol';

export type ReportedAuditHead = NonNullable<Telemetry['audit']>;
export type PreviousAuditHead = Pick<ReportedAuditHead, 'seq' | 'hash' | 'keyedFromSeq'>;

export type AuditHeadVerdict =
  | { kind: 'first' | 'same' | 'extends' }
  /** More rows since the last head than the telemetry's trail holds: the link cannot be checked. */
  | { kind: 'unverifiable' }
  | { kind: 'fork'; why: string };

/**
 * Does `next` extend `previous`? The fleet holds no locker's audit key, so it checks links only: a
 * head whose seq goes back, the same seq with another hash, a trail that no longer holds the last
 * head's hash at its seq, or a moved keyed boundary is a fork (the locker's log was rewritten).
 */
export function checkAuditHead(
  previous: PreviousAuditHead | undefined,
  next: ReportedAuditHead,
): AuditHeadVerdict {
  if (!previous) return { kind: 'first' };
  if (next.keyedFromSeq !== previous.keyedFromSeq)
    return {
      kind: 'fork',
      why: `keyed boundary moved from ${previous.keyedFromSeq} to ${next.keyedFromSeq}`,
    };
  if (next.seq < previous.seq)
    return { kind: 'fork', why: `head went back from seq ${previous.seq} to ${next.seq}` };
  if (next.seq === previous.seq)
    return next.hash === previous.hash
      ? { kind: 'same' }
      : { kind: 'fork', why: `seq ${next.seq} now has another hash` };
  if (next.recent.at(-1) !== next.hash) return { kind: 'fork', why: 'the trail does not end at the head' };
  const back = next.seq - previous.seq;
  if (back >= next.recent.length) return { kind: 'unverifiable' };
  return next.recent[next.recent.length - 1 - back] === previous.hash
    ? { kind: 'extends' }
    : { kind: 'fork', why: `seq ${previous.seq} now has another hash` };
}
