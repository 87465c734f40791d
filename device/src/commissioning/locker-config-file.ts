import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { type CompartmentConfig, deviceConfigSchema } from '../config/device-config.ts';
import type { LockBusConfigInput } from '../lockbus/lock-bus-config.ts';
import { CommissioningError } from './commissioning-error.ts';

/** For a config file that does not exist yet: what the scan cannot find out. */
export interface NewLocker {
  lockerId: string;
  municipality: string;
}

/** Paths as in hardware-docs/locker-pc/locker.example.yaml. */
const newLockerDefaults = {
  mode: 'production',
  secrets: {
    codeKey: { file: '/etc/locker/secrets/code-key' },
    auditKey: { file: '/etc/locker/secrets/audit-key' },
  },
  store: { path: '/var/lib/locker/device.db', commissioned: false },
} as const;

/**
 * Puts the bus section and the compartment map into the locker config (the rest of an existing
 * file is kept), validates the whole with the device's own schema, and writes it atomically.
 */
export async function writeLockerConfig(
  path: string,
  bus: Omit<LockBusConfigInput, 'timing'>,
  compartments: CompartmentConfig[],
  newLocker: NewLocker | undefined,
): Promise<void> {
  const base = await readBase(path, newLocker);
  // timings an existing file already tuned are kept; the tool's own are not written
  const timing = base.bus?.timing;
  const config = { ...base, bus: { ...bus, ...(timing ? { timing } : {}) }, compartments };
  const parsed = deviceConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new CommissioningError(
      'CONFIG_INVALID',
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
    );
  }
  const temporary = `${path}.commissioning`;
  await writeFile(temporary, stringifyYaml(config));
  await rename(temporary, path);
}

type BaseConfig = Record<string, unknown> & { bus?: { timing?: LockBusConfigInput['timing'] } };

async function readBase(path: string, newLocker: NewLocker | undefined): Promise<BaseConfig> {
  if (existsSync(path)) {
    const raw: unknown = parseYaml(await readFile(path, 'utf8'));
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new CommissioningError('CONFIG_INVALID', `${path} holds no config object`);
    }
    return raw as BaseConfig;
  }
  if (!newLocker) {
    throw new CommissioningError(
      'BAD_ARGUMENT',
      `${path} does not exist: pass --locker-id and --municipality to start a new config`,
    );
  }
  return { lockerId: newLocker.lockerId, municipality: newLocker.municipality, ...newLockerDefaults };
}
