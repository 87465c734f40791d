import { Transform, type TransformCallback } from 'node:stream';
import type { FrameSpec } from './frame-spec.ts';

export interface FrameParserOptions {
  spec: FrameSpec;
  /**
   * Line quiet this long lets a framing with several possible lengths take the shorter one. It never
   * ends a frame whose fixed length the bytes have not reached: USB adapters split replies, so such a
   * frame waits for its bytes (the caller's reply timeout and `reset()` bound the wait). Default 30 ms.
   */
  silenceMs?: number;
  /** Hard cap on buffered bytes; beyond it the oldest bytes are dropped and counted. */
  maxBufferBytes?: number;
}

export interface FrameParserCounters {
  frames: number;
  checksumErrors: number;
  structureErrors: number;
  truncated: number;
  resyncs: number;
  discardedBytes: number;
  overflows: number;
}

export type FrameErrorReason = 'checksum' | 'structure' | 'truncated' | 'garbage' | 'overflow';

export interface FrameParserError {
  reason: FrameErrorReason;
  bytes: Buffer;
}

const defaults = { silenceMs: 30, maxBufferBytes: 1024 } as const;

/**
 * Splits a byte stream into frames of one {@link FrameSpec}. Readable side is object mode: one
 * Buffer per frame. Resyncs on the spec's start bytes, never throws on any input, counts every
 * byte it throws away, and emits `frame-error` ({@link FrameParserError}) for logging.
 */
export class FrameParser extends Transform {
  readonly counters: FrameParserCounters = {
    frames: 0,
    checksumErrors: 0,
    structureErrors: 0,
    truncated: 0,
    resyncs: 0,
    discardedBytes: 0,
    overflows: 0,
  };
  private buffer: Buffer = Buffer.alloc(0);
  private silenceTimer: NodeJS.Timeout | undefined;
  private readonly spec: FrameSpec;
  private readonly silenceMs: number;
  private readonly maxBufferBytes: number;

  constructor(options: FrameParserOptions) {
    super({ readableObjectMode: true });
    this.spec = options.spec;
    this.silenceMs = options.silenceMs ?? defaults.silenceMs;
    this.maxBufferBytes = options.maxBufferBytes ?? defaults.maxBufferBytes;
  }

  /** Drops whatever is buffered (after a failed exchange the driver flushes). */
  reset(): void {
    this.clearSilenceTimer();
    if (this.buffer.length > 0) this.discard(this.buffer.length, 'garbage');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    this.capBuffer();
    this.drain(false);
    this.armSilenceTimer();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.clearSilenceTimer();
    this.drain(true, true);
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.clearSilenceTimer();
    callback(error);
  }

  /** `final`: the stream ended, so bytes that could still become a frame never will. */
  private drain(atSilence: boolean, final = false): void {
    while (this.buffer.length > 0) {
      const start = this.buffer.findIndex((byte) => this.spec.startBytes.has(byte));
      if (start !== 0) {
        this.counters.resyncs++;
        this.discard(start === -1 ? this.buffer.length : start, 'garbage');
        continue;
      }
      const verdict = this.spec.match(this.buffer, atSilence);
      if (verdict.kind === 'frame') {
        const frame = Buffer.from(this.buffer.subarray(0, verdict.length));
        this.buffer = this.buffer.subarray(verdict.length);
        this.counters.frames++;
        this.push(frame);
        continue;
      }
      if (verdict.kind === 'invalid') {
        if (verdict.reason === 'checksum') this.counters.checksumErrors++;
        else this.counters.structureErrors++;
        this.discard(1, verdict.reason);
        continue;
      }
      if (!final && this.buffer.length <= this.spec.maxFrameLength) return;
      this.counters.truncated++;
      this.discard(1, 'truncated');
    }
  }

  private capBuffer(): void {
    const excess = this.buffer.length - this.maxBufferBytes;
    if (excess <= 0) return;
    this.counters.overflows++;
    this.discard(excess, 'overflow');
  }

  private discard(count: number, reason: FrameErrorReason): void {
    const bytes = Buffer.from(this.buffer.subarray(0, count));
    this.buffer = this.buffer.subarray(count);
    this.counters.discardedBytes += count;
    this.emit('frame-error', { reason, bytes } satisfies FrameParserError);
  }

  private armSilenceTimer(): void {
    this.clearSilenceTimer();
    if (this.buffer.length === 0) return;
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = undefined;
      this.drain(true);
    }, this.silenceMs);
    this.silenceTimer.unref();
  }

  private clearSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }
}
