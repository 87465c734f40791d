import { sum8 } from './checksum.ts';
import { FrameError } from './frame-error.ts';
import { type FrameSpec, matchByCandidateLengths } from './frame-spec.ts';
import { hexByte as hex, toHex } from './hex.ts';

/** The Kerong family's envelope, shared by CU48 and CU16: STX first, ETX second to last, SUM (low byte of the sum) last. */
export const kerongFrame = { stx: 0x02, etx: 0x03 } as const;

export function expectKerongFrame(frame: Uint8Array, length: number, what: string): void {
  if (frame.length !== length) {
    throw new FrameError(
      'FRAME_BAD_LENGTH',
      `${what} is ${length} bytes, got ${frame.length}: ${toHex(frame)}`,
    );
  }
  const verdict = validateKerong(frame);
  if (verdict === 'structure') {
    throw new FrameError('FRAME_BAD_MARKER', `${what} needs 02 … 03 SUM: ${toHex(frame)}`);
  }
  if (verdict === 'checksum') {
    const expected = sum8(frame, 0, length - 1);
    throw new FrameError(
      'FRAME_BAD_CHECKSUM',
      `${what} sum is 0x${hex(expected)}, frame says 0x${hex(frame[length - 1]!)}`,
    );
  }
}

export function validateKerong(frame: Uint8Array): 'ok' | 'checksum' | 'structure' {
  const n = frame.length;
  if (frame[0] !== kerongFrame.stx || frame[n - 2] !== kerongFrame.etx) return 'structure';
  return sum8(frame, 0, n - 1) === frame[n - 1] ? 'ok' : 'checksum';
}

export function kerongFrameSpec(name: string, length: number): FrameSpec {
  return {
    name,
    startBytes: new Set([kerongFrame.stx]),
    maxFrameLength: length,
    match: (bytes, atSilence) => matchByCandidateLengths(bytes, [length], validateKerong, atSilence),
  };
}
