/**
 * How a framing tells where a frame ends, given bytes that begin with one of its start bytes.
 * - `incomplete`: more bytes could still complete a frame;
 * - `frame`: the first `length` bytes are a whole, checksum-valid frame;
 * - `invalid`: the bytes at the start cannot be a frame (`reason` names why).
 * `atSilence` is true when the line has been quiet: a variable-length framing may then decide.
 */
export type FrameMatch =
  | { kind: 'incomplete' }
  | { kind: 'frame'; length: number }
  | { kind: 'invalid'; reason: 'checksum' | 'structure' };

export interface FrameSpec {
  readonly name: string;
  readonly startBytes: ReadonlySet<number>;
  /** No frame is longer: a buffer past this without a frame is garbage. */
  readonly maxFrameLength: number;
  match(bytes: Uint8Array, atSilence: boolean): FrameMatch;
}

/**
 * Framings without a length field: a frame is one of a few fixed lengths, chosen by the bytes.
 * The longest candidate that validates wins; while a longer one is still possible the match
 * waits for more bytes or for silence (never trusting a length the bytes have not proven).
 */
export function matchByCandidateLengths(
  bytes: Uint8Array,
  candidateLengths: readonly number[],
  validate: (frame: Uint8Array) => 'ok' | 'checksum' | 'structure',
  atSilence: boolean,
): FrameMatch {
  const sorted = [...candidateLengths].sort((a, b) => a - b);
  const shortest = sorted[0]!;
  const longest = sorted[sorted.length - 1]!;
  if (bytes.length < shortest) return { kind: 'incomplete' };
  if (bytes.length < longest && !atSilence) {
    const couldGrow = sorted.some((len) => len > bytes.length);
    if (couldGrow) return { kind: 'incomplete' };
  }
  let firstFailure: 'checksum' | 'structure' = 'structure';
  for (let i = sorted.length - 1; i >= 0; i--) {
    const len = sorted[i]!;
    if (len > bytes.length) continue;
    const verdict = validate(bytes.subarray(0, len));
    if (verdict === 'ok') return { kind: 'frame', length: len };
    if (verdict === 'checksum') firstFailure = 'checksum';
  }
  return { kind: 'invalid', reason: firstFailure };
}
