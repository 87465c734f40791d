import type { SignedManifest } from '@locker/protocol';
import type Database from 'better-sqlite3';

export interface ReleaseRecord {
  version: string;
  role: 'locker' | 'fleet';
  sha256: string;
  size: number;
  signed: SignedManifest;
  uploadedBy: string;
  uploadedAt: string;
}

type ReleaseRow = Omit<ReleaseRecord, 'signed'> & { signed: string };
const columns =
  'version, role, sha256, size, signed_manifest AS signed, uploaded_by AS uploadedBy, uploaded_at AS uploadedAt';
const toRelease = (row: ReleaseRow): ReleaseRecord => ({
  ...row,
  signed: JSON.parse(row.signed) as SignedManifest,
});

/** Uploaded releases: the signed manifest as it came (lockers verify it), the artifact is a file beside the store. */
export class ReleaseRepo {
  constructor(private readonly db: Database.Database) {}

  add(release: ReleaseRecord): void {
    this.db
      .prepare(
        `INSERT INTO releases (version, role, sha256, size, signed_manifest, uploaded_by, uploaded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        release.version,
        release.role,
        release.sha256,
        release.size,
        JSON.stringify(release.signed),
        release.uploadedBy,
        release.uploadedAt,
      );
  }

  get(version: string): ReleaseRecord | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM releases WHERE version = ?`).get(version) as
      | ReleaseRow
      | undefined;
    return row ? toRelease(row) : undefined;
  }

  list(): ReleaseRecord[] {
    return (
      this.db.prepare(`SELECT ${columns} FROM releases ORDER BY uploaded_at DESC`).all() as ReleaseRow[]
    ).map(toRelease);
  }
}
