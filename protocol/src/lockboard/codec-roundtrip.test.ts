import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser } from './frame-parser.ts';
import {
  cu16RequestSpec,
  decodeCu16Request,
  decodeCu16StatusReply,
  encodeCu16Request,
  encodeCu16StatusReply,
} from './kerong-cu16.ts';
import {
  cu48RequestSpec,
  decodeCu48Request,
  decodeCu48StatusReply,
  encodeCu48Request,
  encodeCu48StatusReply,
} from './kerong-cu48.ts';
import {
  decodeXor8aAllReply,
  decodeXor8aLockReply,
  decodeXor8aRequest,
  encodeXor8aAllReply,
  encodeXor8aLockReply,
  encodeXor8aRequest,
  xor8aRequestSpec,
} from './xor8a.ts';

const command = fc.constantFrom('status' as const, 'unlock' as const);
const bits = (n: number) => fc.array(fc.boolean(), { minLength: n, maxLength: n });

describe('encode → decode is the identity', () => {
  it('CU48 requests and status replies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.oneof(fc.integer({ min: 1, max: 48 }), fc.constant('all' as const)),
        command,
        (address, lock, cmd) => {
          const request = { address, lock, command: cmd };
          expect(decodeCu48Request(encodeCu48Request(request))).toEqual(request);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), bits(48), (address, lockBits) => {
        expect(decodeCu48StatusReply(encodeCu48StatusReply({ address, lockBits }))).toEqual({
          address,
          lockBits,
        });
      }),
    );
  });

  it('CU16 requests and status replies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 16 }),
        command,
        (board, lock, cmd) => {
          const request = { board, lock, command: cmd };
          expect(decodeCu16Request(encodeCu16Request(request))).toEqual(request);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 16 }),
        bits(16),
        bits(16),
        (board, lock, hookBits, itemBits) => {
          const reply = { board, lock, hookBits, itemBits };
          expect(decodeCu16StatusReply(encodeCu16StatusReply(reply))).toEqual(reply);
        },
      ),
    );
  });

  it('8A/80 requests and replies', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('unlock' as const, 'query' as const),
        fc.integer({ min: 1, max: 31 }),
        fc.oneof(fc.integer({ min: 1, max: 255 }), fc.constant('all' as const)),
        fc.integer({ min: 0, max: 255 }),
        (cmd, board, lock, statusByte) => {
          const request = { command: cmd, board, lock };
          expect(decodeXor8aRequest(encodeXor8aRequest(request))).toEqual(request);
          const reply = { command: cmd, board, lock: lock === 'all' ? 0 : lock, statusByte };
          expect(decodeXor8aLockReply(encodeXor8aLockReply(reply), cmd)).toEqual(reply);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31 }),
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        (board, statusBytes) => {
          expect(decodeXor8aAllReply(encodeXor8aAllReply({ board, statusBytes }))).toEqual({
            board,
            statusBytes,
          });
        },
      ),
    );
  });

  it('a stream of encoded requests cut at random points parses back to the same requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 48 }), command), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (requests, cuts) => {
          const frames = requests.map(([address, lock, cmd]) =>
            encodeCu48Request({ address, lock, command: cmd }),
          );
          const stream = Buffer.concat(frames);
          const parser = new FrameParser({ spec: cu48RequestSpec });
          const parsed: Buffer[] = [];
          parser.on('data', (frame: Buffer) => parsed.push(frame));
          let offset = 0;
          for (let i = 0; offset < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            parser.write(stream.subarray(offset, offset + size));
            offset += size;
          }
          parser.end();
          await new Promise((resolve) => parser.on('end', resolve));
          expect(parsed).toEqual(frames);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('the other request framings survive the same cutting', async () => {
    const cu16 = encodeCu16Request({ board: 3, lock: 9, command: 'unlock' });
    const xor = encodeXor8aRequest({ command: 'query', board: 2, lock: 'all' });
    for (const [spec, frame] of [
      [cu16RequestSpec, cu16],
      [xor8aRequestSpec, xor],
    ] as const) {
      const parser = new FrameParser({ spec });
      const parsed: Buffer[] = [];
      parser.on('data', (f: Buffer) => parsed.push(f));
      for (const byte of Buffer.concat([frame, frame])) parser.write(Buffer.of(byte));
      parser.end();
      await new Promise((resolve) => parser.on('end', resolve));
      expect(parsed).toEqual([frame, frame]);
    }
  });
});
