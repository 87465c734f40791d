import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'STORE_NEWER_THAN_SOFTWARE';
}

/**
 * Applies what is missing of `list` (ordered, append-only: a released migration is never edited, only
 * followed by a new one), each migration in its own transaction; refuses a database from newer software.
 */
export function migrate(db: Database.Database, list: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = list.at(-1)?.version ?? 0;
  if (current > latest)
    throw new MigrationError(
      `database schema ${current} is newer than this software knows (${latest}); install the newer software or restore a backup`,
    );
  for (const migration of list) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return latest;
}
