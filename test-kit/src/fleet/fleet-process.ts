import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { cliSources } from '../sources.ts';

const cli = cliSources.fleet;
export const processSecret = 'p'.repeat(48);

/** A free TCP port on loopback (for servers that cannot be told to pick one, like Mosquitto). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The fleet as a real process (`npm run fleet`), with its config file and its administrative commands. */
export class FleetProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'fleet-process-'));
  readonly configFile = join(this.dir, 'fleet.yaml');
  private child: ChildProcess | undefined;
  log = '';

  constructor(yamlBody: string) {
    writeFileSync(
      this.configFile,
      `mode: development
store: { path: ${join(this.dir, 'fleet.db')} }
secrets:
  masterKey: { env: FLEET_MASTER_KEY }
  servicePassword: { env: FLEET_SERVICE_PASSWORD }
${yamlBody}`,
    );
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      FLEET_MASTER_KEY: processSecret,
      FLEET_SERVICE_PASSWORD: processSecret,
      ...extra,
    };
  }

  /** Runs one administrative command to completion; returns what it printed. */
  async admin(args: string[], env: Record<string, string> = {}): Promise<string> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, args[0]!, '--config', this.configFile, ...args.slice(1)],
      {
        env: this.env(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`fleet ${args[0]} exited ${code}: ${err}`);
    return out;
  }

  /** `env`: more environment for the service (e.g. an LD_PRELOAD shim). */
  async serve(env: Record<string, string> = {}): Promise<{ httpUrl: string; brokerUrl: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--config', this.configFile], {
      env: this.env(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (c: Buffer) => {
      this.log = (this.log + c.toString()).slice(-20_000);
    });
    const line = await Promise.race([
      once(createInterface({ input: child.stdout! }), 'line').then(([l]) => l as string),
      once(child, 'exit').then(() => {
        throw new Error(`fleet exited before ready:\n${this.log}`);
      }),
    ]);
    return JSON.parse(line) as { httpUrl: string; brokerUrl: string };
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** kill -9: no clean-up of any kind. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}
