/**
 * Bit meanings of Kerong status replies, configuration per board. Defaults follow each board's
 * vendor document (hardware-docs/protocols/kerong-cu48.md, kerong-cu16.md).
 */
export interface KerongDialect {
  /** Hook/lock bit value that means the door is closed and latched. */
  closedBitValue: 0 | 1;
  /** Item (infrared) sensor bit value that means something is in the compartment (CU16). */
  itemPresentBitValue: 0 | 1;
  /** CU48 only: lock byte of the status request (`0x00` in the vendor's example, `0x30` on some firmware). */
  cu48StatusLockByte: 0x00 | 0x30;
  /**
   * CU48 only: command set — `'v2.1'` (status 0x50, unlock 0x51, reply 0x65) as in the vendor document,
   * or `'0x60'` (status 0x60, unlock 0x61, reply 0x75) as some firmware answers. A board answers only its own.
   */
  cu48Commands: Cu48CommandSetName;
}

export type Cu48CommandSetName = 'v2.1' | '0x60';

/**
 * CU48 protocol v2.1 (pp. 3–5): "bit 0=0, means hook of lock No. 1 is in unlocked status; bit 0=1 …
 * locked status"; its example reply `02 00 00 65 07 00 00 00 00 C0 03 31` reports locks 1–3, 47
 * and 48 locked, the other 43 unlocked; the status example asks with lock byte `00`. The document
 * warns that a board with the other hook switch (NO instead of NC) reads the other way: hence the
 * polarity check at start and its confirmation at commissioning. CU16 (KR-CU16 sheet): a set hook
 * bit is a closed hook too.
 */
export const kerongDefaultDialects: Readonly<Record<'cu48' | 'cu16', Readonly<KerongDialect>>> = {
  cu48: { closedBitValue: 1, itemPresentBitValue: 1, cu48StatusLockByte: 0x00, cu48Commands: 'v2.1' },
  cu16: { closedBitValue: 1, itemPresentBitValue: 1, cu48StatusLockByte: 0x00, cu48Commands: 'v2.1' },
};

/** Maps a raw bit to its meaning and, being its own inverse, a meaning back to the raw bit. */
export function applyPolarity(value: boolean, activeBitValue: 0 | 1): boolean {
  return value === (activeBitValue === 1);
}
