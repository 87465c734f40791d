import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const cli = new URL('./fleet.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
const secret = 'q'.repeat(48);

function configFile(mode: 'development' | 'production', extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
  const file = join(dir, 'fleet.yaml');
  writeFileSync(
    file,
    `mode: ${mode}
http: { host: 127.0.0.1, port: 0 }
mqtt: { broker: embedded, host: 127.0.0.1, port: 0 }
store: { path: ${join(dir, 'fleet.db')} }
secrets:
  masterKey: { env: FLEET_MASTER_KEY }
  servicePassword: { env: FLEET_SERVICE_PASSWORD }
${extra}`,
  );
  return file;
}

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, FLEET_MASTER_KEY: secret, FLEET_SERVICE_PASSWORD: secret, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
  return { child, exit };
}

/** Runs one command to its end: exit code, stderr and stdout. */
async function output(args: string[], env: Record<string, string> = {}) {
  const step = run(args, env);
  let out = '';
  step.child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const { code, stderr } = await step.exit;
  return { code, stderr, out };
}

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// each step is a fresh tsx process: several seconds apiece on a loaded machine
describe('fleet command line', { timeout: 180_000 }, () => {
  it('serves HTTP and MQTT, answers /healthz, and stops cleanly on SIGTERM', async () => {
    const { child, exit } = run(['serve', '--config', configFile('development')]);
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const ready = JSON.parse(line) as { httpUrl: string; brokerUrl: string };
    expect(ready.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${ready.httpUrl}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('production mode refuses a default secret and plain MQTT beyond loopback, naming the field', async () => {
    const weak = await run(['serve', '--config', configFile('production')], { FLEET_MASTER_KEY: 'changeme' })
      .exit;
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(
      /secrets\.masterKey: environment variable FLEET_MASTER_KEY holds a default or short value/,
    );
    const file = configFile('production');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'broker: embedded, host: 127.0.0.1',
        'broker: embedded, host: 0.0.0.0',
      ),
    );
    const open = await run(['serve', '--config', file]).exit;
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/mqtt\.host: production mode serves plain MQTT on loopback only/);
  });

  it('adds a municipality, provisions a locker, creates a user, and writes Mosquitto password and ACL files', async () => {
    const file = configFile('development');
    const early = await output([
      'provision-locker',
      '--config',
      file,
      '--id',
      'ieper-1',
      '--municipality',
      'ieper',
      '--name',
      'Stadhuis',
    ]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/NOT_FOUND: municipality ieper/);
    expect(
      (await output(['add-municipality', '--config', file, '--id', 'ieper', '--name', 'Ieper'])).code,
    ).toBe(0);
    const provisioned = await output([
      'provision-locker',
      '--config',
      file,
      '--id',
      'ieper-1',
      '--municipality',
      'ieper',
      '--name',
      'Stadhuis',
    ]);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const locker = JSON.parse(provisioned.out) as {
      mqtt: { username: string; password: string };
      codeKey: string;
    };
    expect(locker.mqtt.username).toBe('ieper-1');
    expect(locker.mqtt.password.length).toBeGreaterThanOrEqual(43);
    const user = await output(
      ['create-user', '--config', file, '--username', 'root', '--role', 'admin', '--municipality', '*'],
      {
        FLEET_NEW_USER_PASSWORD: 'a long enough password',
      },
    );
    expect(user.code, user.stderr).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'mosquitto-files-'));
    const files = await output(['mosquitto-files', '--config', file, '--out', out]);
    expect(files.code, files.stderr).toBe(0);
    const passwords = readFileSync(join(out, 'passwords'), 'utf8');
    expect(passwords).toMatch(/^_fleet:\$7\$/m);
    expect(passwords).toMatch(/^ieper-1:\$7\$/m);
    expect(passwords).not.toContain(locker.mqtt.password);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain('pattern write lockers/v1/%u/events');
  });

  it('decommissions a locker (left out of the Mosquitto password file), disables and enables a user, lists and revokes tokens, audited as cli', async () => {
    const file = configFile('development');
    const password = { FLEET_NEW_USER_PASSWORD: 'a long enough password' };
    expect(
      (await output(['add-municipality', '--config', file, '--id', 'ieper', '--name', 'Ieper'])).code,
    ).toBe(0);
    for (const id of ['ieper-1', 'ieper-2'])
      expect(
        (
          await output([
            'provision-locker',
            '--config',
            file,
            '--id',
            id,
            '--municipality',
            'ieper',
            '--name',
            id,
          ])
        ).code,
      ).toBe(0);
    expect(
      (
        await output(
          ['create-user', '--config', file, '--username', 'jan', '--role', 'desk', '--municipality', 'ieper'],
          password,
        )
      ).code,
    ).toBe(0);

    const noReason = await output(['decommission-locker', '--config', file, '--id', 'ieper-1']);
    expect([noReason.code, noReason.stderr]).toEqual([
      2,
      expect.stringMatching(/ARGS: --reason is required/),
    ]);
    const decommissioned = await output([
      'decommission-locker',
      '--config',
      file,
      '--id',
      'ieper-1',
      '--reason',
      'site closed',
    ]);
    expect(decommissioned.code, decommissioned.stderr).toBe(0);
    expect(JSON.parse(decommissioned.out)).toEqual({ decommissionedAt: expect.any(String) });
    const out = mkdtempSync(join(tmpdir(), 'mosquitto-files-'));
    expect((await output(['mosquitto-files', '--config', file, '--out', out])).code).toBe(0);
    const passwords = readFileSync(join(out, 'passwords'), 'utf8');
    expect(passwords).toMatch(/^ieper-2:/m);
    expect(passwords).not.toMatch(/^ieper-1:/m);

    const disabled = await output([
      'disable-user',
      '--config',
      file,
      '--username',
      'jan',
      '--reason',
      'left',
    ]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.out)).toEqual({ sessionsEnded: 0, lockers: 0 });
    const twice = await output(['disable-user', '--config', file, '--username', 'jan', '--reason', 'left']);
    expect(twice.stderr).toMatch(/USER_ALREADY_DISABLED/);
    expect((await output(['enable-user', '--config', file, '--username', 'jan'])).code).toBe(0);
    const tokens = await output(['list-tokens', '--config', file]);
    expect([tokens.code, JSON.parse(tokens.out)]).toEqual([0, []]);
    const unknown = await output(['revoke-token', '--config', file, '--id', 'nope', '--reason', 'leaked']);
    expect(unknown.stderr).toMatch(/NOT_FOUND: token nope/);
    const db = new Database(join(dirname(file), 'fleet.db'), { readonly: true });
    const audit = db.prepare("SELECT action FROM audit WHERE actor = 'cli' ORDER BY seq").all() as {
      action: string;
    }[];
    db.close();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['locker.decommission', 'user.disable', 'user.enable']),
    );
  });
});
