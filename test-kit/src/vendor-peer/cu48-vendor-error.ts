export type Cu48VendorErrorCode =
  | 'CU48_PEER_BAD_OPTIONS'
  | 'CU48_PEER_UNKNOWN_LOCK'
  | 'CU48_PEER_NOT_STARTED';

const hints: Record<Cu48VendorErrorCode, string> = {
  CU48_PEER_BAD_OPTIONS: 'board addresses are 0x00–0x09 and unique (p.3 §2.2, p.7 §2.6.2); rates are 0–1',
  CU48_PEER_UNKNOWN_LOCK: 'a CU48 has locks 1–48 and the peer only knows the addresses it was given',
  CU48_PEER_NOT_STARTED: 'call start(stream) before using the peer',
};

/** A misuse of the vendor test peer by a test. */
export class Cu48VendorError extends Error {
  override readonly name = 'Cu48VendorError';
  constructor(
    readonly code: Cu48VendorErrorCode,
    message: string,
  ) {
    super(`${code}: ${message} (${hints[code]})`);
  }
}
