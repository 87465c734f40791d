import { ConfigError, readSecret, type SecretRef } from '@locker/node-kit';

/** What a secret of the fleet's own must have in production, beyond `readSecret`'s length and deny list. */
export const secretStrength = { minLength: 32, minDistinct: 10, minEntropyBits: 128 } as const;

/** The secret's Shannon entropy in bits, estimated from its own character frequencies. */
export function estimatedEntropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * value.length;
}

/** True when `value` is a shorter string repeated (`changemechangeme…`, `abcabc…`). */
function repeatsAShorterString(value: string): boolean {
  for (let period = 1; period <= value.length / 2; period++)
    if (value.length % period === 0 && value.slice(0, period).repeat(value.length / period) === value)
      return true;
  return false;
}

/** Why `value` is too weak for production, or undefined when it is strong enough. */
export function secretWeakness(value: string): string | undefined {
  const { minLength, minDistinct, minEntropyBits } = secretStrength;
  if (value.length < minLength) return `it has ${value.length} characters, fewer than ${minLength}`;
  if (new Set(value).size < minDistinct) return `it uses fewer than ${minDistinct} different characters`;
  if (repeatsAShorterString(value)) return 'it repeats a shorter string';
  const bits = estimatedEntropyBits(value);
  if (bits < minEntropyBits)
    return `it looks like ${Math.round(bits)} bits of randomness, fewer than ${minEntropyBits}`;
  return undefined;
}

/**
 * Reads one of the fleet's own secrets (master key, MQTT service password); in production it must
 * also look random: long enough, varied, not a repetition, with enough entropy.
 */
export function readFleetSecret(
  ref: SecretRef,
  field: string,
  mode: 'development' | 'production',
  env: NodeJS.ProcessEnv = process.env,
): string {
  const value = readSecret(ref, field, mode, env);
  const weakness = mode === 'production' ? secretWeakness(value) : undefined;
  if (weakness)
    throw new ConfigError('SECRET_WEAK', [
      `${field}: ${'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`} is not random enough for production (${weakness}); generate one with: openssl rand -base64 32`,
    ]);
  return value;
}
