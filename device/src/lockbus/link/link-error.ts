export type LinkErrorCode =
  | 'LINK_NOT_OPEN'
  | 'LINK_WRITE_FAILED'
  | 'LINK_WRITE_TIMEOUT'
  | 'LINK_REPLY_TIMEOUT'
  | 'LINK_BAD_FRAME'
  | 'LINK_PORT_CLOSED'
  | 'LINK_STOPPED';

/** A failed bus exchange. `written` tells whether request bytes may have reached the wire. */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: LinkErrorCode,
    message: string,
    readonly written: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
