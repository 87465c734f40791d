import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Migration } from './migrate.ts';
import { openSqlite } from './open-sqlite.ts';

const v1: Migration = {
  version: 1,
  name: 'notes',
  sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)',
};
const v2: Migration = { version: 2, name: 'note tags', sql: 'ALTER TABLE notes ADD COLUMN tag TEXT' };
const freshPath = () => join(mkdtempSync(join(tmpdir(), 'node-kit-sqlite-')), 'test.db');

describe('openSqlite', () => {
  it('creates the file in WAL mode with synchronous FULL and foreign keys, at the last migration', () => {
    const db = openSqlite(freshPath(), [v1, v2]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('applies only the migrations a reopened file lacks, keeping its rows', () => {
    const path = freshPath();
    const old = openSqlite(path, [v1]);
    old.prepare('INSERT INTO notes (text) VALUES (?)').run('kept');
    old.close();
    const db = openSqlite(path, [v1, v2]);
    expect(db.prepare('SELECT text, tag FROM notes').all()).toEqual([{ text: 'kept', tag: null }]);
    db.close();
  });

  it('refuses a database from newer software with STORE_NEWER_THAN_SOFTWARE and leaves it as it was', () => {
    const path = freshPath();
    openSqlite(path, [v1, v2]).close();
    expect(() => openSqlite(path, [v1])).toThrow(
      expect.objectContaining({ code: 'STORE_NEWER_THAN_SOFTWARE', name: 'MigrationError' }),
    );
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it("throws SQLite's own error for a file that is not a database", () => {
    const path = freshPath();
    writeFileSync(path, 'this is not a database, only text long enough to be read as a header '.repeat(10));
    expect(() => openSqlite(path, [v1])).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
  });
});
