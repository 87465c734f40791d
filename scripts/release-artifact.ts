import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ReleaseError } from './release-error.ts';
import type { ReleaseRole } from './release-roles.ts';

const run = promisify(execFile);
const repoRoot = new URL('..', import.meta.url).pathname;
const timeouts = { lockfileMs: 120_000, tarMs: 60_000 } as const;

interface PackageJson {
  name: string;
  version: string;
  [field: string]: unknown;
}

const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as PackageJson;
const writeJson = (file: string, value: unknown) =>
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

async function command(file: string, args: string[], cwd: string, timeout: number): Promise<void> {
  try {
    await run(file, args, { cwd, timeout, maxBuffer: 16 * 2 ** 20 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new ReleaseError(
      'COMMAND_FAILED',
      `${file} ${args.join(' ')} failed in ${cwd}: ${stderr ?? error}`,
    );
  }
}

/** A workspace as shipped: its build and the package fields production needs (no scripts, no devDependencies). */
function stageWorkspace(workspace: string, into: string): void {
  const built = join(repoRoot, workspace, 'dist');
  if (!existsSync(built)) throw new ReleaseError('NOT_BUILT', `${built} is missing`);
  const { name, version, type, exports, dependencies, optionalDependencies } = readPackage(workspace);
  mkdirSync(join(into, workspace), { recursive: true });
  writeJson(join(into, workspace, 'package.json'), {
    name,
    version,
    private: true,
    type,
    exports,
    dependencies,
    optionalDependencies,
  });
  cpSync(built, join(into, workspace, 'dist'), {
    recursive: true,
    filter: (path) => !path.endsWith('.tsbuildinfo'),
  });
}

/**
 * Writes `<outDir>/<role>-<version>.tar.gz`: one directory `<role>-<version>/` with the built workspaces,
 * a `package.json` + `package-lock.json` for `npm ci --omit=dev` on the target (native modules are built
 * there), `systemd/` units and `examples/` configs. The lockfile is the repository's, pruned to this role.
 */
export async function buildReleaseArtifact(role: ReleaseRole, outDir: string): Promise<string> {
  const version = readPackage(role.versionOf).version;
  const release = `${role.name}-${version}`;
  const stage = mkdtempSync(join(tmpdir(), 'release-stage-'));
  try {
    const top = join(stage, release);
    mkdirSync(top);
    for (const workspace of role.workspaces) stageWorkspace(workspace, top);
    const root = readPackage('.');
    writeJson(join(top, 'package.json'), {
      name: `service-locker-${role.name}`,
      version,
      private: true,
      type: 'module',
      workspaces: role.workspaces,
      engines: root.engines,
      allowScripts: root.allowScripts,
    });
    copyFileSync(join(repoRoot, 'package-lock.json'), join(top, 'package-lock.json'));
    await command(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      top,
      timeouts.lockfileMs,
    );
    for (const [dir, files] of [
      ['systemd', role.units],
      ['examples', role.examples],
    ] as const) {
      mkdirSync(join(top, dir));
      for (const file of files) copyFileSync(join(repoRoot, file), join(top, dir, basename(file)));
    }
    mkdirSync(outDir, { recursive: true });
    const tarball = join(outDir, `${release}.tar.gz`);
    await command('tar', ['-czf', tarball, '-C', stage, release], stage, timeouts.tarMs);
    return tarball;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
