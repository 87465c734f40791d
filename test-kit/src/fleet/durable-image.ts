import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const shimSource = new URL('./durable-image-shim.c', import.meta.url).pathname;

/** True when the machine has a C compiler (`cc`) to build the shim with. */
export function haveCompiler(): boolean {
  return spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface DurableSnapshot {
  /** The image's files at that moment (what a disk holds after a power cut then). */
  dir: string;
  /** The bytes whose write took the snapshot. */
  wire: Buffer;
}

/**
 * What a disk would hold after a power cut, for a process run under `durable-image-shim.c`
 * (LD_PRELOAD): the files of `watchDir` with only what was fsync'd, snapshotted whenever the
 * process writes `marker` to a socket or pipe.
 */
export class DurableImage {
  readonly dir = mkdtempSync(join(tmpdir(), 'durable-image-'));
  readonly imageDir = join(this.dir, 'image');
  readonly snapshotDir = join(this.dir, 'snapshots');
  readonly library = join(this.dir, 'durable-image-shim.so');

  constructor(
    private readonly watchDir: string,
    private readonly marker: string,
  ) {}

  /** Builds the shim; seeds the image with the watched files as they are now (written and closed before). */
  start(): void {
    const built = spawnSync(
      'cc',
      ['-shared', '-fPIC', '-O2', '-o', this.library, shimSource, '-ldl', '-lpthread'],
      {
        encoding: 'utf8',
      },
    );
    if (built.status !== 0) throw new Error(`building the durable-image shim failed: ${built.stderr}`);
    mkdirSync(this.imageDir);
    mkdirSync(this.snapshotDir);
    for (const name of readdirSync(this.watchDir))
      if (!name.endsWith('-shm')) copyFileSync(join(this.watchDir, name), join(this.imageDir, name));
  }

  /** The environment that runs a process under the shim. */
  env(): Record<string, string> {
    return {
      LD_PRELOAD: this.library,
      DURABLE_WATCH_DIR: this.watchDir,
      DURABLE_IMAGE_DIR: this.imageDir,
      DURABLE_SNAP_DIR: this.snapshotDir,
      DURABLE_MARKER: this.marker,
    };
  }

  /** Every snapshot so far, oldest first. */
  snapshots(): DurableSnapshot[] {
    return readdirSync(this.snapshotDir)
      .sort()
      .map((name) => join(this.snapshotDir, name))
      .filter((dir) => existsSync(join(dir, 'wire.bin')))
      .map((dir) => ({ dir, wire: readFileSync(join(dir, 'wire.bin')) }));
  }

  /**
   * Opens a copy of a snapshot's database as SQLite finds it after the reboot (it replays the
   * WAL it finds and ignores an unsynced tail); the snapshot itself stays as it was.
   */
  reboot(snapshot: DurableSnapshot, dbName: string): Database.Database {
    const copy = mkdtempSync(join(this.dir, 'reboot-'));
    for (const name of readdirSync(snapshot.dir))
      if (name.startsWith(dbName)) copyFileSync(join(snapshot.dir, name), join(copy, name));
    return new Database(join(copy, dbName));
  }

  /**
   * The acknowledged rows that a power cut at their acknowledgement would have lost: for each, the
   * first snapshot whose wire bytes carry `ack.wire` is rebooted and asked with `sql` (one `?`, bound
   * to `ack.id`). Throws for an acknowledgement no snapshot carries: it was never written.
   */
  lostAtAcknowledgement(acks: { wire: string; id: string }[], dbName: string, sql: string): string[] {
    const snapshots = this.snapshots();
    return acks
      .filter((ack) => {
        const at = snapshots.find((s) => s.wire.includes(ack.wire));
        if (!at) throw new Error(`no acknowledgement carrying ${ack.wire} was written`);
        const db = this.reboot(at, dbName);
        try {
          return db.prepare(sql).get(ack.id) === undefined;
        } finally {
          db.close();
        }
      })
      .map((ack) => ack.id);
  }
}
