import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-file.ts';

/** A secret is read from a file or an environment variable, never written in the config in clear. */
export const secretRefSchema = z.union([
  z.object({ file: z.string().min(1) }).strict(),
  z
    .object({
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as LOCKER_CODE_KEY'),
    })
    .strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const weakSecrets = ['changeme', 'change-me', 'secret', 'password', 'default', 'locker', 'test', 'admin'];
export const minSecretLength = 32;

/** Reads a secret; in production a missing, short or well-known value stops the start. */
export function readSecret(
  ref: SecretRef,
  field: string,
  mode: 'development' | 'production',
  env = process.env,
): string {
  let value: string | undefined;
  if ('env' in ref) value = env[ref.env];
  else {
    try {
      value = readFileSync(ref.file, 'utf8').trim();
    } catch {
      value = undefined;
    }
  }
  const where = 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
  if (!value)
    throw new ConfigError('SECRET_MISSING', [
      `${field}: ${where} is empty or missing; write a random value of at least ${minSecretLength} characters there`,
    ]);
  if (mode === 'production' && (value.length < minSecretLength || weakSecrets.includes(value.toLowerCase())))
    throw new ConfigError('SECRET_WEAK', [
      `${field}: ${where} holds a default or short value; production needs at least ${minSecretLength} random characters (e.g. openssl rand -hex 32)`,
    ]);
  return value;
}
