import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

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
