/** Bit i of the result is bit (i % 8) of byte floor(i / 8): bit 0 of the first byte is lock 1. */
export function bitsFromBytes(bytes: Uint8Array, count = bytes.length * 8): boolean[] {
  const bits: boolean[] = [];
  for (let i = 0; i < count; i++) bits.push(((bytes[i >> 3]! >> (i & 7)) & 1) === 1);
  return bits;
}

/** Inverse of {@link bitsFromBytes}; `byteCount` bytes, missing bits are 0. */
export function bytesFromBits(bits: readonly boolean[], byteCount: number): Uint8Array {
  const bytes = new Uint8Array(byteCount);
  bits.forEach((bit, i) => {
    if (bit && i < byteCount * 8) bytes[i >> 3]! |= 1 << (i & 7);
  });
  return bytes;
}
