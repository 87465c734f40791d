/**
 * Bit meanings of Kerong status replies. Public sources disagree on the polarity, so it is
 * configuration per board; defaults per hardware-docs/protocols/kerong-cu48.md.
 */
export interface KerongDialect {
  /** Hook/lock bit value that means the door is closed and latched. */
  closedBitValue: 0 | 1;
  /** Item (infrared) sensor bit value that means something is in the compartment (CU16). */
  itemPresentBitValue: 0 | 1;
}

export const kerongDefaultDialect: Readonly<KerongDialect> = { closedBitValue: 1, itemPresentBitValue: 1 };

/** Maps a raw bit to its meaning and, being its own inverse, a meaning back to the raw bit. */
export function applyPolarity(value: boolean, activeBitValue: 0 | 1): boolean {
  return value === (activeBitValue === 1);
}
