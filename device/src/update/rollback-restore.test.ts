import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../store/migrations.ts';
import { InstallLayout } from './install-layout.ts';
import { restoreAfterRollback } from './rollback-restore.ts';
import { writeUpdateRecord } from './update-state.ts';

const logger = pino({ level: 'silent' });
const known = migrations.at(-1)?.version ?? 0;
let work: string;
let layout: InstallLayout;

function database(file: string, schema: number, note: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE IF NOT EXISTS note (text TEXT); DELETE FROM note;');
  db.prepare('INSERT INTO note VALUES (?)').run(note);
  db.pragma(`user_version = ${schema}`);
  db.close();
}

function note(file: string): string {
  const db = new Database(file, { readonly: true });
  const row = db.prepare('SELECT text FROM note').get() as { text: string };
  db.close();
  return row.text;
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'rollback-restore-'));
  layout = new InstallLayout(work);
  writeUpdateRecord(layout.stateFile, {
    rolloutId: 'r1',
    version: '0.2.0',
    previous: '0.1.0',
    phase: 'rolled_back',
    attempts: 1,
    backup: join(work, 'backup.db'),
    reported: false,
  });
  database(join(work, 'backup.db'), known, 'before the update');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('database across a rollback', () => {
  it('restores the pre-update backup when the new version migrated the schema past what this version knows', () => {
    const live = join(work, 'device.db');
    database(live, known + 1, 'migrated by 0.2.0');
    expect(restoreAfterRollback(layout, '0.1.0', live, logger)).toBe(true);
    expect(note(live)).toBe('before the update');
  });

  it('keeps the live database, and what was recorded since the switch, when its schema is one this version knows', () => {
    const live = join(work, 'device.db');
    database(live, known, 'recorded by 0.2.0');
    expect(restoreAfterRollback(layout, '0.1.0', live, logger)).toBe(false);
    expect(note(live)).toBe('recorded by 0.2.0');
  });

  it('does nothing in the new version or without a rollback', () => {
    const live = join(work, 'device.db');
    database(live, known + 1, 'migrated by 0.2.0');
    expect(restoreAfterRollback(layout, '0.2.0', live, logger)).toBe(false);
    expect(restoreAfterRollback(new InstallLayout(join(work, 'none')), '0.1.0', live, logger)).toBe(false);
  });
});
