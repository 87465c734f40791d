import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fleetAuditKey } from '../store/audit-chain.ts';
import { FleetStore } from '../store/fleet-store.ts';
import { AuditChainWatch, auditChainWatchDefaults } from './audit-chain-watch.ts';

let store: FleetStore | undefined;
afterEach(() => {
  vi.useRealTimers();
  store?.close();
});

describe('fleet audit chain watch', () => {
  it('keeps the verdict of the last full verification and finds an edit at the next one', () => {
    vi.useFakeTimers();
    store = FleetStore.open(join(mkdtempSync(join(tmpdir(), 'audit-watch-')), 'fleet.db'), {
      auditKey: fleetAuditKey('m'.repeat(48)),
    });
    for (const target of ['a', 'b'])
      store.audit.append({
        actor: 'admin',
        action: 'municipality.add',
        municipalityId: null,
        target,
        data: {},
      });
    const watch = new AuditChainWatch(store.audit, pino({ level: 'silent' }));
    watch.start();
    expect(watch.verdict).toEqual({ intact: true, rows: 2 });
    store.db.exec('DROP TRIGGER audit_no_update;');
    store.db.prepare("UPDATE audit SET target = 'z' WHERE seq = 1").run();
    expect(watch.verdict?.intact).toBe(true);
    vi.advanceTimersByTime(auditChainWatchDefaults.verifyEveryMs);
    expect(watch.verdict).toMatchObject({ intact: false, brokenAtSeq: 1 });
    watch.stop();
  });
});
