import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UpdateError } from './update-error.ts';

export const downloadTimeouts = { responseMs: 30_000, idleMs: 60_000 } as const;

export interface DownloadRequest {
  url: string;
  /** The complete file; bytes arrive in `<file>.part` first. */
  file: string;
  /** The size the signed manifest states. */
  size: number;
  maxBytes: number;
  timeouts?: Partial<Record<keyof typeof downloadTimeouts, number>>;
}

/**
 * Downloads an artifact resumably: what `<file>.part` already holds is asked for no more
 * (`Range: bytes=<n>-`); a server that answers 200 instead of 206 sends the whole file again.
 * Never writes more than the manifest's size, and refuses a size above the cap before asking.
 */
export async function downloadArtifact(request: DownloadRequest): Promise<{ resumedFrom: number }> {
  const { url, file, size, maxBytes } = request;
  const timeouts = { ...downloadTimeouts, ...request.timeouts };
  if (size > maxBytes) throw new UpdateError('TOO_LARGE', `${size} bytes, the cap is ${maxBytes}`);
  if (existsSync(file) && statSync(file).size === size) return { resumedFrom: size };
  mkdirSync(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const have = existsSync(part) ? statSync(part).size : 0;
  if (have > size) throw new UpdateError('SIZE_MISMATCH', `${part} holds ${have} bytes, more than ${size}`);
  if (have < size) await fetchInto(url, part, have, size, timeouts);
  renameSync(part, file);
  return { resumedFrom: have };
}

async function fetchInto(
  url: string,
  part: string,
  have: number,
  size: number,
  timeouts: Record<keyof typeof downloadTimeouts, number>,
): Promise<void> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(new Error('no response')), timeouts.responseMs);
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(new Error(`no bytes for ${timeouts.idleMs} ms`)), timeouts.idleMs);
  };
  try {
    const response = await fetch(url, {
      signal: abort.signal,
      headers: have > 0 ? { range: `bytes=${have}-` } : {},
    });
    if (response.status !== 200 && response.status !== 206)
      throw new UpdateError('DOWNLOAD_FAILED', `${url} answered ${response.status}`);
    const from = response.status === 206 ? have : 0;
    if (!response.body) throw new UpdateError('DOWNLOAD_FAILED', `${url} sent no body`);
    let written = from;
    const capped = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).map(
      (chunk: Buffer) => {
        idle();
        written += chunk.length;
        if (written > size)
          throw new UpdateError('SIZE_MISMATCH', `${url} sent more than the manifest's ${size} bytes`);
        return chunk;
      },
    );
    idle();
    const out = createWriteStream(part, { flags: from > 0 ? 'a' : 'w' });
    try {
      await pipeline(capped, out);
    } finally {
      // a cut transfer rejects before the file's last write has landed: the next resume must see every byte
      if (!out.closed) await once(out, 'close');
    }
    if (written !== size)
      throw new UpdateError('DOWNLOAD_FAILED', `${url} ended after ${written} of ${size} bytes`);
  } catch (error) {
    if (error instanceof UpdateError) throw error;
    throw new UpdateError('DOWNLOAD_FAILED', `${url}: ${error}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
