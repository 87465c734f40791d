import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FleetError } from '../services/fleet-errors.ts';

/** Defaults for the release files, in one place. */
export const releaseFileDefaults = {
  /** An upload (and so a download) larger than this is refused while it streams. */
  maxArtifactBytes: 256 * 2 ** 20,
} as const;

/** Artifacts as files (`locker-<version>.tar.gz`) in one directory beside the fleet store. */
export class ReleaseFiles {
  constructor(
    readonly dir: string,
    private readonly maxBytes: number = releaseFileDefaults.maxArtifactBytes,
  ) {}

  path(version: string): string {
    return join(this.dir, `locker-${version}.tar.gz`);
  }

  has(version: string): boolean {
    return existsSync(this.path(version));
  }

  /**
   * Streams an upload to a temporary file, counting and hashing as it goes; kept only when its size
   * and SHA-256 are the signed manifest's (a mismatch or an oversize upload leaves nothing).
   */
  async save(version: string, body: Readable, expected: { size: number; sha256: string }): Promise<void> {
    if (expected.size > this.maxBytes)
      throw new FleetError('RELEASE_TOO_LARGE', `${expected.size} bytes; the cap is ${this.maxBytes}`);
    mkdirSync(this.dir, { recursive: true });
    const partial = `${this.path(version)}.upload`;
    const digest = createHash('sha256');
    let size = 0;
    const counted = body.map((chunk: Buffer) => {
      size += chunk.length;
      if (size > expected.size)
        throw new FleetError('RELEASE_SIZE_MISMATCH', `more bytes than the manifest's ${expected.size}`);
      digest.update(chunk);
      return chunk;
    });
    try {
      await pipeline(counted, createWriteStream(partial));
      if (size !== expected.size)
        throw new FleetError('RELEASE_SIZE_MISMATCH', `${size} bytes, the manifest states ${expected.size}`);
      const sha256 = digest.digest('hex');
      if (sha256 !== expected.sha256)
        throw new FleetError(
          'RELEASE_DIGEST_MISMATCH',
          `SHA-256 ${sha256}, the manifest states ${expected.sha256}`,
        );
      renameSync(partial, this.path(version));
    } finally {
      rmSync(partial, { force: true });
    }
  }
}

/** A single `Range: bytes=a-b` / `bytes=a-` / `bytes=-n` over a file of `size` bytes; undefined when absent. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'unsatisfiable';
  const [, from, to] = match as unknown as [string, string, string];
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}
