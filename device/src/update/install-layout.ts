import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { UpdateError } from './update-error.ts';

const run = promisify(execFile);
const timeouts = { unpackMs: 120_000, copyModulesMs: 300_000, npmCiMs: 20 * 60_000 } as const;

/**
 * Where releases live on a locker:
 *   <root>/releases/<version>/   one unpacked release each (A/B: the running one and the new one)
 *   <root>/current               symlink to releases/<version>; locker.service starts current/device/dist/cli/device.js
 *   <root>/downloads/            partial and complete downloads
 *   <root>/update-state.json     the update in progress (see update-state.ts)
 */
export class InstallLayout {
  constructor(readonly root: string) {}

  get current(): string {
    return join(this.root, 'current');
  }

  get stateFile(): string {
    return join(this.root, 'update-state.json');
  }

  releaseDir(version: string): string {
    return join(this.root, 'releases', version);
  }

  download(version: string): string {
    return join(this.root, 'downloads', `locker-${version}.tar.gz`);
  }

  backup(version: string): string {
    return join(this.root, 'backups', `before-${version}.db`);
  }

  /** The version `current` points at, or undefined on a locker installed by hand without it. */
  currentVersion(): string | undefined {
    if (!existsSync(this.current)) return undefined;
    return basename(readlinkSync(this.current));
  }

  /**
   * Unpacks a verified artifact beside the running release: into a staging directory first, then
   * renamed to releases/<version> (a half-unpacked tree is never a release). Its one top directory
   * must be `locker-<version>`.
   */
  async unpack(artifact: string, version: string): Promise<string> {
    const staging = join(this.root, 'releases', `.staging-${version}`);
    const target = this.releaseDir(version);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await run('tar', ['-xzf', artifact, '-C', staging, '--no-same-owner'], { timeout: timeouts.unpackMs });
      const entries = readdirSync(staging);
      if (entries.length !== 1 || entries[0] !== `locker-${version}`)
        throw new UpdateError(
          'UNPACK_FAILED',
          `${artifact} holds ${entries.join(', ')}, not locker-${version}/`,
        );
      rmSync(target, { recursive: true, force: true });
      renameSync(join(staging, entries[0]), target);
      return target;
    } catch (error) {
      if (error instanceof UpdateError) throw error;
      throw new UpdateError('UNPACK_FAILED', `${artifact}: ${error}`, { cause: error });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /**
   * Gives an unpacked release its production dependencies (a release ships without node_modules):
   * with the running release's lockfile, a copy of its node_modules (hard links: fast, no network,
   * native modules already built); with another lockfile, `npm ci --omit=dev` in the new release.
   */
  async installDependencies(version: string, running: string): Promise<'copied' | 'installed'> {
    const target = this.releaseDir(version);
    const source = this.releaseDir(running);
    const lock = (dir: string) =>
      existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json')) : undefined;
    const sameLock = lock(source)?.equals(lock(target) ?? Buffer.alloc(0)) ?? false;
    try {
      if (sameLock && existsSync(join(source, 'node_modules'))) {
        await run('cp', ['-al', join(source, 'node_modules'), join(target, 'node_modules')], {
          timeout: timeouts.copyModulesMs,
        });
        return 'copied';
      }
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
        cwd: target,
        timeout: timeouts.npmCiMs,
        maxBuffer: 16 * 2 ** 20,
      });
      return 'installed';
    } catch (error) {
      throw new UpdateError('DEPENDENCIES_FAILED', `${target}: ${error}`, { cause: error });
    }
  }

  /** Points `current` at a release atomically: a new symlink renamed over the old one. */
  switchTo(version: string): void {
    const next = `${this.current}.next`;
    rmSync(next, { force: true });
    symlinkSync(join('releases', version), next);
    renameSync(next, this.current);
  }

  /** Removes releases other than the ones named (the running and the previous one stay). */
  prune(keep: readonly string[]): void {
    const dir = join(this.root, 'releases');
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir))
      if (!keep.includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}
