import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetStore } from './fleet-store.ts';

/** SQLite's `PRAGMA synchronous` values: 1 = NORMAL, 2 = FULL. */
const synchronousFull = 2;

let dir: string | undefined;
let store: FleetStore | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fleet store', () => {
  it('opens its file in WAL mode with synchronous FULL, so an acknowledged event survives a power cut', () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-store-'));
    store = FleetStore.open(join(dir, 'fleet.db'));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(synchronousFull);
  });
});
