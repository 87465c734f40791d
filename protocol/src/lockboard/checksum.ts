/** Low byte of the sum of `bytes[start..end)` (Kerong CU family). */
export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let total = 0;
  for (let i = start; i < end; i++) total += bytes[i]!;
  return total & 0xff;
}

/** XOR of `bytes[start..end)` (the "8A/80" board's check byte). */
export function xor8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let total = 0;
  for (let i = start; i < end; i++) total ^= bytes[i]!;
  return total;
}
