export type FrameErrorCode =
  | 'FRAME_BAD_LENGTH'
  | 'FRAME_BAD_MARKER'
  | 'FRAME_BAD_CHECKSUM'
  | 'FRAME_BAD_FIELD'
  | 'FRAME_UNKNOWN_COMMAND';

/** A frame that does not follow its protocol. `code` is stable; the message says which byte is wrong. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
