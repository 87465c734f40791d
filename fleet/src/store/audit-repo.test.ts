import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@locker/node-kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetAuditKey } from './audit-chain.ts';
import { FleetStore } from './fleet-store.ts';
import { fleetMigrations } from './migrations.ts';

const auditKey = fleetAuditKey('m'.repeat(48));
const entry = (target: string) => ({
  actor: 'admin',
  action: 'municipality.add',
  municipalityId: null,
  target,
  data: { target },
});
let store: FleetStore | undefined;
afterEach(() => store?.close());

describe('fleet audit chain', () => {
  it('chains new rows to the unkeyed rows from before migration 2, so an edit of either is found', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fleet-audit-')), 'fleet.db');
    const old = new Database(path);
    migrate(old, fleetMigrations.slice(0, 1));
    for (const target of ['ieper', 'poperinge'])
      old
        .prepare(
          "INSERT INTO audit (at, actor, action, municipality_id, target, data) VALUES ('2026-01-01T00:00:00.000Z', 'admin', 'municipality.add', NULL, ?, '{}')",
        )
        .run(target);
    old.close();

    store = FleetStore.open(path, { auditKey });
    store.audit.append(entry('vleteren'));
    store.audit.append(entry('alveringem'));
    expect(store.audit.verify()).toEqual({ intact: true, rows: 4 });

    store.db.exec('DROP TRIGGER audit_no_update;');
    store.db.prepare("UPDATE audit SET target = 'elsewhere' WHERE seq = 1").run();
    expect(store.audit.verify()).toMatchObject({
      intact: false,
      brokenAtSeq: 3,
      why: 'previous hash does not match',
    });
    store.db.prepare("UPDATE audit SET target = 'ieper' WHERE seq = 1").run();
    store.db.prepare("UPDATE audit SET actor = 'nobody' WHERE seq = 4").run();
    expect(store.audit.verify()).toMatchObject({
      intact: false,
      brokenAtSeq: 4,
      why: 'row content does not match its hash',
    });
  });

  it('finds a row removed, and a chain re-signed with another key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fleet-audit-')), 'fleet.db');
    store = FleetStore.open(path, { auditKey });
    for (const target of ['a', 'b', 'c']) store.audit.append(entry(target));
    store.db.exec('DROP TRIGGER audit_no_delete;');
    store.db.prepare('DELETE FROM audit WHERE seq = 2').run();
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 3, why: 'row 2 is missing' });
    store.close();

    store = FleetStore.open(path, { auditKey: fleetAuditKey('another master key'.repeat(3)) });
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 1 });
  });
});
