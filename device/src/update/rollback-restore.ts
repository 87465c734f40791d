import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrations } from '../store/migrations.ts';
import type { InstallLayout } from './install-layout.ts';
import { readUpdateRecord } from './update-state.ts';

/**
 * After a rollback, before the store opens: SQLite data across a rollback. Migrations are
 * append-only and each version refuses a schema newer than it knows, so a database the new version
 * migrated is replaced by the backup taken just before the switch; one it did not migrate is kept
 * as it is (nothing recorded meanwhile is lost). Returns whether the backup was restored.
 */
export function restoreAfterRollback(
  layout: InstallLayout,
  running: string,
  storePath: string,
  logger: Logger,
): boolean {
  const record = readUpdateRecord(layout.stateFile);
  if (record?.phase !== 'rolled_back' || record.previous !== running || !existsSync(storePath)) return false;
  const known = migrations.at(-1)?.version ?? 0;
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  const schema = db.pragma('user_version', { simple: true }) as number;
  db.close();
  if (schema <= known) return false;
  if (!existsSync(record.backup)) {
    logger.fatal(
      { backup: record.backup, schema, known },
      'rolled back, but the pre-update backup is missing',
    );
    return false;
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
  copyFileSync(record.backup, storePath);
  logger.warn({ backup: record.backup, schema, known }, 'database restored from the pre-update backup');
  return true;
}
