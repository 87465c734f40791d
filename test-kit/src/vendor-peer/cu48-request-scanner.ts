import { cu48Document, isCu48Request } from './cu48-vendor-frames.ts';

export type ScannedBytes = { kind: 'request'; bytes: Buffer } | { kind: 'rejected'; bytes: Buffer };

/**
 * Cuts the board's receive stream into 6-byte requests (p.3 §2.1): waits for STX, takes 6 bytes, and
 * keeps them only when ETX and SUM are right; otherwise the STX is dropped and the hunt starts again at
 * the next byte. Bytes before an STX and frames that fail the check come out as `rejected`.
 */
export class Cu48RequestScanner {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ScannedBytes[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: ScannedBytes[] = [];
    for (;;) {
      const start = this.buffer.indexOf(cu48Document.stx);
      if (start !== 0) {
        const junk = start < 0 ? this.buffer : this.buffer.subarray(0, start);
        if (junk.length > 0) out.push({ kind: 'rejected', bytes: Buffer.from(junk) });
        this.buffer = start < 0 ? Buffer.alloc(0) : this.buffer.subarray(start);
      }
      if (this.buffer.length < cu48Document.requestLength) return out;
      const frame = this.buffer.subarray(0, cu48Document.requestLength);
      if (isCu48Request(frame)) {
        out.push({ kind: 'request', bytes: Buffer.from(frame) });
        this.buffer = this.buffer.subarray(cu48Document.requestLength);
      } else {
        out.push({ kind: 'rejected', bytes: Buffer.from(this.buffer.subarray(0, 1)) });
        this.buffer = this.buffer.subarray(1);
      }
    }
  }
}
