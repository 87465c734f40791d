import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type DeviceConfig, deviceConfigSchema, type SecretRef } from './device-config.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code:
      | 'CONFIG_UNREADABLE'
      | 'CONFIG_SYNTAX'
      | 'CONFIG_INVALID'
      | 'SECRET_MISSING'
      | 'SECRET_WEAK',
    readonly problems: string[],
  ) {
    super(`${code}: ${problems.join('\n')}`);
  }
}

/** Parses JSON or YAML text and validates it; every problem becomes one line naming the field. */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, source: string): z.output<S> {
  let raw: unknown;
  try {
    raw = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError('CONFIG_SYNTAX', [`${source}: ${(error as Error).message.split('\n')[0]}`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      'CONFIG_INVALID',
      parsed.error.issues.map((issue) => `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  return parsed.data;
}

export function parseDeviceConfig(text: string, source: string): DeviceConfig {
  return parseConfigText(deviceConfigSchema, text, source);
}

/** Reads and validates a config file; an unreadable file is a ConfigError naming it. */
export function loadConfigFile<S extends z.ZodType>(schema: S, path: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_UNREADABLE', [
      `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; pass --config with a readable file`,
    ]);
  }
  return parseConfigText(schema, text, path);
}

export function loadDeviceConfig(path: string): DeviceConfig {
  return loadConfigFile(deviceConfigSchema, path);
}

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
