import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { cu16Frames as cu16Recorded, cu48Frames, xor8aFrames } from './fixtures/recorded-frames.ts';
import { FrameParser, type FrameParserError } from './frame-parser.ts';
import { fromHex } from './hex.ts';
import { cu16ReplySpec, cu16RequestSpec } from './kerong-cu16.ts';
import { cu48ReplySpec, cu48RequestSpec } from './kerong-cu48.ts';
import { xor8aReplySpec, xor8aRequestSpec } from './xor8a.ts';

async function parse(parser: FrameParser, chunks: Uint8Array[]): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  parser.on('data', (frame: Buffer) => frames.push(frame));
  const ended = new Promise((resolve) => parser.on('end', resolve));
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  await ended;
  return frames;
}

function splitEveryByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

describe('FrameParser', () => {
  it('reassembles a frame split into single bytes', async () => {
    const frames = await parse(
      new FrameParser({ spec: cu48RequestSpec }),
      splitEveryByte(cu48Frames.unlockBoard0Lock1),
    );
    expect(frames).toEqual([cu48Frames.unlockBoard0Lock1]);
  });

  it('emits two frames that arrive in one chunk', async () => {
    const chunk = Buffer.concat([cu48Frames.statusAllBoard0, cu48Frames.unlockBoard1Lock48]);
    const frames = await parse(new FrameParser({ spec: cu48RequestSpec }), [chunk]);
    expect(frames).toEqual([cu48Frames.statusAllBoard0, cu48Frames.unlockBoard1Lock48]);
  });

  it('skips garbage before the start byte and counts a resync', async () => {
    const parser = new FrameParser({ spec: cu48ReplySpec });
    const frames = await parse(parser, [fromHex('ff 00 13'), cu48Frames.statusReplyAllSet]);
    expect(frames).toEqual([cu48Frames.statusReplyAllSet]);
    expect(parser.counters.resyncs).toBe(1);
    expect(parser.counters.discardedBytes).toBe(3);
  });

  it('drops a frame with a bad checksum, counts it, and keeps the next good frame', async () => {
    const parser = new FrameParser({ spec: cu48RequestSpec });
    const errors: FrameParserError[] = [];
    parser.on('frame-error', (error: FrameParserError) => errors.push(error));
    const bad = Buffer.from(cu48Frames.unlockBoard0Lock1);
    bad[5] = 0x00;
    const frames = await parse(parser, [bad, cu48Frames.statusAllBoard0]);
    expect(frames).toEqual([cu48Frames.statusAllBoard0]);
    expect(parser.counters.checksumErrors).toBe(1);
    expect(errors.some((error) => error.reason === 'checksum')).toBe(true);
  });

  it('finds a frame whose start byte hides inside a corrupted one', async () => {
    // 02 00 02 … : the first STX starts a bad frame, the second starts the real one
    const chunk = Buffer.concat([fromHex('02 00'), cu16Frames()]);
    const frames = await parse(new FrameParser({ spec: cu16RequestSpec }), [chunk]);
    expect(frames).toEqual([cu16Frames()]);
  });

  it('drops a truncated frame when the next frame proves it wrong, and parses that next frame', async () => {
    vi.useFakeTimers();
    try {
      const parser = new FrameParser({ spec: cu48RequestSpec, silenceMs: 10 });
      const frames: Buffer[] = [];
      parser.on('data', (frame: Buffer) => frames.push(frame));
      parser.write(cu48Frames.unlockBoard0Lock1.subarray(0, 4));
      await vi.advanceTimersByTimeAsync(11);
      parser.write(cu48Frames.unlockBoard0Lock1);
      await vi.advanceTimersByTimeAsync(1);
      expect(frames).toEqual([cu48Frames.unlockBoard0Lock1]);
      expect(parser.counters.structureErrors + parser.counters.resyncs).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    { name: 'CU48', spec: cu48ReplySpec, reply: cu48Frames.statusReplyAllSet },
    { name: 'CU16', spec: cu16ReplySpec, reply: cu16Recorded.statusReplyHooks12Item1 },
    { name: '8A/80 unlock', spec: xor8aReplySpec([3]), reply: xor8aFrames.unlockReplyOpen },
    { name: '8A/80 query-all', spec: xor8aReplySpec([3]), reply: xor8aFrames.queryAllReplyDoors1_9_17 },
  ])(
    'keeps a $name reply split in two bursts 23–40 ms apart: silence never ends a fixed-length frame',
    async ({ spec, reply }) => {
      vi.useFakeTimers();
      try {
        for (const pauseMs of [23, 25, 30, 40]) {
          const parser = new FrameParser({ spec, silenceMs: 15 });
          const frames: Buffer[] = [];
          parser.on('data', (frame: Buffer) => frames.push(frame));
          parser.write(reply.subarray(0, 3));
          await vi.advanceTimersByTimeAsync(pauseMs);
          parser.write(reply.subarray(3));
          await vi.advanceTimersByTimeAsync(1);
          expect(frames).toEqual([reply]);
          expect(parser.counters.discardedBytes).toBe(0);
        }
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it('waits 30 ms of silence by default before taking the shorter of two possible lengths', async () => {
    vi.useFakeTimers();
    try {
      const parser = new FrameParser({ spec: xor8aReplySpec([3]) });
      const frames: Buffer[] = [];
      parser.on('data', (frame: Buffer) => frames.push(frame));
      parser.write(xor8aFrames.queryReplyClosed);
      await vi.advanceTimersByTimeAsync(29);
      expect(frames).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(frames).toEqual([xor8aFrames.queryReplyClosed]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells a 5-byte 80 reply from a 7-byte query-all reply', async () => {
    const chunk = Buffer.concat([xor8aFrames.queryReplyClosed, xor8aFrames.queryAllReplyDoors1_9_17]);
    const frames = await parse(new FrameParser({ spec: xor8aReplySpec([3]) }), [chunk]);
    expect(frames).toEqual([xor8aFrames.queryReplyClosed, xor8aFrames.queryAllReplyDoors1_9_17]);
  });

  it('takes a lone 5-byte 80 reply at silence (a longer query-all reply was still possible)', async () => {
    const frames = await parse(new FrameParser({ spec: xor8aReplySpec([3]) }), [
      xor8aFrames.queryReplyClosed,
    ]);
    expect(frames).toEqual([xor8aFrames.queryReplyClosed]);
  });

  it('caps its buffer and counts the overflow', async () => {
    const parser = new FrameParser({ spec: cu48RequestSpec, maxBufferBytes: 4 });
    await parse(parser, [Buffer.alloc(10, 0x02)]);
    expect(parser.counters.overflows).toBe(1);
  });

  it('never throws and never emits an invalid frame for any byte stream (property)', async () => {
    const specs = [
      cu48RequestSpec,
      cu48ReplySpec,
      cu16RequestSpec,
      cu16ReplySpec,
      xor8aRequestSpec,
      xor8aReplySpec([3, 6]),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...specs),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxLength: 8 }),
        async (spec, chunks) => {
          const frames = await parse(new FrameParser({ spec }), chunks);
          for (const frame of frames) {
            expect(spec.match(frame, true)).toEqual({ kind: 'frame', length: frame.length });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function cu16Frames(): Buffer {
  return fromHex('02 12 31 03 48');
}
