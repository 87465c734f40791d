/** `02 00 30 50 03 85` — for logs and error messages. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses `"02 00 30"` or `"020030"` into bytes; throws on anything that is not hex pairs. */
export function fromHex(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(compact)) throw new TypeError(`not a hex byte string: "${text}"`);
  return Buffer.from(compact, 'hex');
}

/** `0x5` → `05`. */
export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
