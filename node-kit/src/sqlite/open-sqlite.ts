import Database from 'better-sqlite3';
import { type Migration, migrate } from './migrate.ts';

/** How long a statement waits for another connection's lock before SQLITE_BUSY. */
export const sqliteBusyTimeoutMs = 5000;

/**
 * Opens (or creates) a database in WAL mode with synchronous FULL (a committed change survives a power
 * cut) and foreign keys on, and brings it to the last of `migrations`. On any failure the connection is
 * closed and the error thrown as it came (a file that is no database keeps SQLite's `SQLITE_NOTADB`).
 */
export function openSqlite(path: string, migrations: readonly Migration[]): Database.Database {
  const db = new Database(path);
  try {
    // first: switching to WAL takes a lock, and a process still closing the file (a restart, a backup) holds it
    db.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
