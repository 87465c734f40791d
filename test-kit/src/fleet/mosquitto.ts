import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const timeouts = { readyMs: 10_000 } as const;

/**
 * A real Mosquitto (Debian package `mosquitto`) on loopback with the password and ACL files the
 * fleet generated: no anonymous clients, the client id forced to the user name.
 */
export class MosquittoBroker {
  private child: ChildProcess | undefined;
  log = '';

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${join(this.dir, 'passwords')}`,
        `acl_file ${join(this.dir, 'acl')}`,
        'use_username_as_clientid true',
        'persistence false',
        // as root, Mosquitto would drop to the `mosquitto` user, who cannot read the 0600 files
        ...(process.getuid?.() === 0 ? ['user root'] : []),
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (c: Buffer) => {
      this.log = (this.log + c.toString()).slice(-10_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + timeouts.readyMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited: ${this.log}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (open) return;
      if (Date.now() > deadline)
        throw new Error(`mosquitto not listening after ${timeouts.readyMs} ms: ${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGHUP: Mosquitto reads its password file and ACL again. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}
