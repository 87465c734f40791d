import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class PtyPairError extends Error {
  override readonly name = 'PtyPairError';
  constructor(
    readonly code: 'PTY_SOCAT_MISSING' | 'PTY_START_TIMEOUT' | 'PTY_SOCAT_EXITED',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const timeouts = { startMs: 5000, pollMs: 10, stopMs: 2000 } as const;

/**
 * Runs socat under a shell that kills it when our stdin closes, so the pty pair never outlives
 * this process, even after SIGKILL. Exit 127: socat is not installed.
 */
const watchdog = [
  'command -v socat >/dev/null || exit 127',
  'exec 3<&0',
  'socat "$@" </dev/null & pair=$!',
  '( read -r _ <&3; kill "$pair" 2>/dev/null ) &',
  'wait "$pair"',
].join('\n');

/**
 * Two linked pseudo-terminals made by `socat`: the device opens `devicePath` with the real
 * `serialport`, the simulator opens `simPath`. Both are stable symlinks (like /dev/serial/by-id),
 * and `ignoreeof` keeps the pair alive when a side closes and reopens its end.
 */
export class PtyPair {
  devicePath = '';
  simPath = '';
  private socat: ChildProcess | undefined;
  private dir = '';

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'locker-pty-'));
    this.devicePath = join(this.dir, 'device');
    this.simPath = join(this.dir, 'bus');
    await this.plugIn();
  }

  /** Fault: the USB adapter is pulled; both tty links disappear until {@link plugIn}. */
  async unplug(): Promise<void> {
    await this.stopSocat();
  }

  /** Makes the pair (again) at the same paths. */
  async plugIn(): Promise<void> {
    const end = (link: string) => `pty,raw,echo=0,ignoreeof,link=${link}`;
    const socat = spawn('sh', ['-c', watchdog, 'pty-pair', end(this.devicePath), end(this.simPath)], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.socat = socat;
    let exited: string | null = null;
    let stderr = '';
    socat.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    socat.once('error', (error: Error) => {
      exited = error.message;
    });
    socat.once('exit', (code) => {
      exited ??= code === 127 ? 'missing' : `exit code ${code}`;
    });
    try {
      await this.waitForLinks(
        () => exited,
        () => stderr,
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private async waitForLinks(exited: () => string | null, stderr: () => string): Promise<void> {
    const deadline = Date.now() + timeouts.startMs;
    while (!(existsSync(this.devicePath) && existsSync(this.simPath))) {
      if (exited() === 'missing')
        throw new PtyPairError('PTY_SOCAT_MISSING', 'socat is not installed: apt-get install socat');
      if (exited())
        throw new PtyPairError('PTY_SOCAT_EXITED', `socat stopped (${exited()}): ${stderr().trim()}`);
      if (Date.now() > deadline)
        throw new PtyPairError('PTY_START_TIMEOUT', `no pty links after ${timeouts.startMs} ms`);
      await sleep(timeouts.pollMs);
    }
  }

  async stop(): Promise<void> {
    await this.stopSocat();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private async stopSocat(): Promise<void> {
    const socat = this.socat;
    this.socat = undefined;
    if (socat && socat.exitCode === null) {
      const exited = new Promise((resolve) => socat.once('exit', resolve));
      socat.stdin?.end();
      const killer = setTimeout(() => socat.kill('SIGKILL'), timeouts.stopMs);
      await exited;
      clearTimeout(killer);
    }
  }
}
