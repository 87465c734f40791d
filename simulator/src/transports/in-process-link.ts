import { Duplex } from 'node:stream';

/** One end of an in-memory pipe: what it writes, its peer reads. */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(chunk);
    callback();
  }

  override _read(): void {}

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }
}

/** Two connected in-memory streams: what one writes, the other reads. For unit tests. */
export function inProcessLink(): { deviceEnd: Duplex; busEnd: Duplex } {
  const deviceEnd = new PipeEnd();
  const busEnd = new PipeEnd();
  deviceEnd.peer = busEnd;
  busEnd.peer = deviceEnd;
  return { deviceEnd, busEnd };
}
