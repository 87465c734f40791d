import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadArtifact } from './artifact-download.ts';
import { RangeServer } from './testing/range-server.ts';

const work = mkdtempSync(join(tmpdir(), 'artifact-download-'));
const body = randomBytes(256 * 1024);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function withServer<T>(server: RangeServer, use: (url: string) => Promise<T>): Promise<T> {
  const url = await server.start();
  try {
    return await use(`${url}/api/releases/locker/0.2.0/artifact`);
  } finally {
    await server.stop();
  }
}

describe('artifact download', () => {
  it('resumes a cut download where it stopped, asking only for the missing bytes', async () => {
    const file = join(work, 'resume.tar.gz');
    const server = new RangeServer(body, { cutAfter: 100_000 });
    await withServer(server, async (url) => {
      await expect(downloadArtifact({ url, file, size: body.length, maxBytes: 2 ** 20 })).rejects.toThrow(
        /DOWNLOAD_FAILED/,
      );
      const have = statSync(`${file}.part`).size;
      expect(have).toBeGreaterThan(0);
      const { resumedFrom } = await downloadArtifact({ url, file, size: body.length, maxBytes: 2 ** 20 });
      expect(resumedFrom).toBe(have);
      expect(server.requests.map((r) => r.range)).toEqual([undefined, `bytes=${have}-`]);
    });
    expect(readFileSync(file).equals(body)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('starts again from the first byte when the server answers a range with the whole file', async () => {
    const file = join(work, 'no-range.tar.gz');
    writeFileSync(`${file}.part`, body.subarray(0, 5000));
    await withServer(new RangeServer(body, { ignoreRange: true }), (url) =>
      downloadArtifact({ url, file, size: body.length, maxBytes: 2 ** 20 }),
    );
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('refuses an artifact above the size cap without asking the server', async () => {
    const server = new RangeServer(body);
    await withServer(server, async (url) => {
      await expect(
        downloadArtifact({ url, file: join(work, 'big.tar.gz'), size: body.length, maxBytes: 1000 }),
      ).rejects.toThrow(/TOO_LARGE/);
    });
    expect(server.requests).toEqual([]);
  });

  it('stops a server that sends more bytes than the manifest states', async () => {
    const file = join(work, 'longer.tar.gz');
    await withServer(new RangeServer(Buffer.concat([body, body])), async (url) => {
      await expect(downloadArtifact({ url, file, size: body.length, maxBytes: 2 ** 20 })).rejects.toThrow(
        /SIZE_MISMATCH/,
      );
    });
    expect(existsSync(file)).toBe(false);
  });
});
