import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../store/fleet-store.ts';

/**
 * Issue 10.10: fleet.db (staff password hashes, sealed locker keys) was created with the umask's
 * mode, usually 644: readable by every user of the machine. It and its -wal/-shm are now 600.
 */
const mode = (path: string) => statSync(path).mode & 0o777;

describe('attack: reading the fleet database as another user of the machine', () => {
  it('creates fleet.db, fleet.db-wal and fleet.db-shm readable by the owner only', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fleet-mode-')), 'fleet.db');
    const previous = process.umask(0o022);
    try {
      const store = FleetStore.open(path);
      store.directory.upsertMunicipality('ieper', 'Ieper');
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database file left readable by an older version', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fleet-mode-')), 'fleet.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    FleetStore.open(path).close();
    expect(mode(path)).toBe(0o600);
  });
});
