import Database from 'better-sqlite3';

export type StoreErrorCode = 'STORE_WRITE_FAILED' | 'LOCKER_STATE_LOST' | 'STORE_DAMAGED';

const hints: Record<StoreErrorCode, string> = {
  STORE_WRITE_FAILED:
    'the database refused a write (disk full or failing); free space on its file system — the locker recovers by itself',
  LOCKER_STATE_LOST:
    'the database is new or belongs to another locker while the config says this locker was commissioned; restore a backup or run the recovery command',
  STORE_DAMAGED: 'the database failed its integrity check; restore a backup or run the recovery command',
};

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly hint: string;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message} (${hints[code]})`, options);
    this.hint = hints[code];
  }
}

/** SQLite result codes that mean the file cannot take writes now (not a bug in the statement). */
const writeFailureCodes = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
];

/** A write the disk refused: full, read-only, I/O error. The same write may work later. */
export function isWriteFailure(error: unknown): boolean {
  if (error instanceof StoreError) return error.code === 'STORE_WRITE_FAILED';
  return (
    error instanceof Database.SqliteError &&
    writeFailureCodes.some((code) => error.code === code || error.code.startsWith(`${code}_`))
  );
}
