import Database from 'better-sqlite3';

/**
 * A consistent copy of a live database with SQLite's online backup API: it reads through the
 * WAL, so the copy holds every committed write (a file copy of the main file alone does not).
 * Safe while the device runs; the target is a plain single-file database.
 */
export async function backupDatabase(source: string, target: string): Promise<{ pages: number }> {
  const db = new Database(source, { fileMustExist: true });
  try {
    const progress = await db.backup(target);
    return { pages: progress.totalPages };
  } finally {
    db.close();
  }
}
