import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@locker/node-kit';
import { rewriteAuditLog } from '@locker/test-kit/locker';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuditEntry, auditGenesisHash, auditHash, unkeyedAuditHash } from './audit-chain.ts';
import { DeviceStore } from './device-store.ts';
import { migrations } from './migrations.ts';

const auditKey = 'a'.repeat(48);
const at = '2026-11-25T10:00:00.000Z';
const opening = (compartment: number): AuditEntry => ({
  at,
  compartment,
  actorKind: 'citizen',
  actorId: `r-${compartment}`,
  reason: 'pickup',
  outcome: 'opened',
});
const dbPath = () => join(mkdtempSync(join(tmpdir(), 'audit-')), 'device.db');

let store: DeviceStore | undefined;
afterEach(() => store?.close());

describe('keyed audit chain', () => {
  it('finds a row removed and the chain recomputed without the audit key', () => {
    const path = dbPath();
    store = DeviceStore.open(path, { auditKey });
    for (let i = 1; i <= 5; i++) store.audit.append(opening(i));
    expect(store.audit.verify()).toEqual({ intact: true, rows: 5 });
    rewriteAuditLog(store.db, [3], unkeyedAuditHash);
    expect(store.audit.verify()).toMatchObject({
      intact: false,
      brokenAtSeq: 1,
      why: 'row content does not match its hash',
    });
    // the same rewrite with a guessed key fails too; only the real key makes it pass (the fleet's head catches that)
    store.close();
    store = DeviceStore.open(path, { auditKey });
    rewriteAuditLog(store.db, [1], (seq, entry, prev) => auditHash('guess'.repeat(10), 1, seq, entry, prev));
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 1 });
  });

  it('keeps rows from before the key with their unkeyed hashes and keys every later row (migration 2)', () => {
    const path = dbPath();
    const old = new Database(path);
    migrate(old, migrations.slice(0, 1));
    let prevHash = auditGenesisHash;
    for (let seq = 1; seq <= 3; seq++) {
      const hash = unkeyedAuditHash(seq, opening(seq), prevHash);
      const e = opening(seq);
      old
        .prepare(
          'INSERT INTO audit_log (seq, at, compartment, actor_kind, actor_id, reason, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(seq, e.at, e.compartment, e.actorKind, e.actorId, e.reason, e.outcome, prevHash, hash);
      prevHash = hash;
    }
    old.close();

    store = DeviceStore.open(path, { auditKey });
    expect(store.getMeta('audit_keyed_from_seq')).toBe('4');
    const row = store.audit.append(opening(4));
    expect(row).toMatchObject({ seq: 4, prevHash, hash: auditHash(auditKey, 4, 4, opening(4), prevHash) });
    expect(store.audit.verify()).toEqual({ intact: true, rows: 4 });
    expect(store.audit.head()).toEqual({ seq: 4, hash: row.hash, keyedFromSeq: 4 });

    // an old (unkeyed) row edited and the old part recomputed: the first keyed row no longer links to it
    store.db.exec('DROP TRIGGER audit_log_no_update;');
    store.db.prepare("UPDATE audit_log SET reason = 'remote' WHERE seq = 2").run();
    const edited = { ...opening(2), reason: 'remote' };
    const h1 = store.audit.rows()[0]!.hash;
    const h2 = unkeyedAuditHash(2, edited, h1);
    const h3 = unkeyedAuditHash(3, opening(3), h2);
    store.db.prepare('UPDATE audit_log SET hash = ? WHERE seq = 2').run(h2);
    store.db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = 3').run(h2, h3);
    store.db.prepare('UPDATE audit_log SET prev_hash = ? WHERE seq = 4').run(h3);
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 4 });
  });

  it('finds the keyed boundary moved or removed', () => {
    store = DeviceStore.open(dbPath(), { auditKey });
    for (let i = 1; i <= 3; i++) store.audit.append(opening(i));
    store.setMeta('audit_keyed_from_seq', '3');
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 1 });
    store.db.prepare("DELETE FROM meta WHERE key = 'audit_keyed_from_seq'").run();
    expect(store.audit.verify()).toMatchObject({
      intact: false,
      why: 'the audit_keyed_from_seq mark is missing',
    });
  });

  it('refuses to audit without the key', () => {
    store = DeviceStore.open(dbPath());
    expect(() => store!.audit.append(opening(1))).toThrow(/AUDIT_KEY_MISSING/);
  });
});
