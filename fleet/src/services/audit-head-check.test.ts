import { describe, expect, it } from 'vitest';
import { checkAuditHead } from './audit-head-check.ts';

const h = (n: number) => n.toString(16).padStart(64, '0');
/** A head at `seq` whose trail holds the hashes of the `length` rows up to it (row n's hash is h(n + salt)). */
const head = (seq: number, length = 4, salt = 0) => ({
  seq,
  hash: h(seq + salt),
  keyedFromSeq: 1,
  recent: Array.from({ length: Math.min(length, seq) }, (_, i) =>
    h(seq - Math.min(length, seq) + 1 + i + salt),
  ),
});
const previous = { seq: 10, hash: h(10), keyedFromSeq: 1 };

describe('audit head continuity', () => {
  it('accepts the first head, the same head again, and a head whose trail holds the last one', () => {
    expect(checkAuditHead(undefined, head(10))).toEqual({ kind: 'first' });
    expect(checkAuditHead(previous, head(10))).toEqual({ kind: 'same' });
    expect(checkAuditHead(previous, head(13))).toEqual({ kind: 'extends' });
  });

  it('calls a head that went back, the same seq with another hash, or a rewritten past a fork', () => {
    expect(checkAuditHead(previous, head(9))).toMatchObject({
      kind: 'fork',
      why: 'head went back from seq 10 to 9',
    });
    expect(checkAuditHead(previous, head(10, 4, 100))).toMatchObject({
      kind: 'fork',
      why: 'seq 10 now has another hash',
    });
    expect(checkAuditHead(previous, head(12, 4, 100))).toMatchObject({
      kind: 'fork',
      why: 'seq 10 now has another hash',
    });
    expect(checkAuditHead(previous, { ...head(12), keyedFromSeq: 11 })).toMatchObject({ kind: 'fork' });
    expect(checkAuditHead(previous, { ...head(12), recent: [h(1)] })).toMatchObject({
      kind: 'fork',
      why: 'the trail does not end at the head',
    });
  });

  it('says when more rows passed than the trail holds', () => {
    expect(checkAuditHead(previous, head(14))).toEqual({ kind: 'unverifiable' });
  });
});
