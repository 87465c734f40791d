import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const cli = new URL('./fleet.ts', import.meta.url).pathname;
const secret = 'q'.repeat(48);

async function fleetCommand(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, FLEET_MASTER_KEY: secret, FLEET_SERVICE_PASSWORD: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('fleet verify-audit', () => {
  it('reports the seq of an audit row an insider edited in fleet.db after dropping the triggers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-verify-audit-'));
    const dbPath = join(dir, 'fleet.db');
    const file = join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      `mode: development
http: { host: 127.0.0.1, port: 0 }
mqtt: { broker: embedded, host: 127.0.0.1, port: 0 }
store: { path: ${dbPath} }
secrets:
  masterKey: { env: FLEET_MASTER_KEY }
  servicePassword: { env: FLEET_SERVICE_PASSWORD }
`,
    );
    for (const id of ['ieper', 'poperinge', 'vleteren']) {
      const added = await fleetCommand(['add-municipality', '--config', file, '--id', id, '--name', id]);
      expect(added.code, added.err).toBe(0);
    }
    const intact = await fleetCommand(['verify-audit', '--config', file]);
    expect(intact.code, intact.err).toBe(0);
    expect(JSON.parse(intact.out)).toEqual({ intact: true, rows: 3 });

    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    db.prepare("UPDATE audit SET actor = 'someone-else' WHERE seq = 2").run();
    db.close();
    const edited = await fleetCommand(['verify-audit', '--config', file]);
    expect(edited.code).toBe(1);
    expect(JSON.parse(edited.out)).toMatchObject({ intact: false, brokenAtSeq: 2 });

    // the running service says so on /healthz (not part of `ok`: a restart mends nothing)
    const serve = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--config', file], {
      env: { ...process.env, FLEET_MASTER_KEY: secret, FLEET_SERVICE_PASSWORD: secret },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [line] = (await once(createInterface({ input: serve.stdout }), 'line')) as [string];
      const { httpUrl } = JSON.parse(line) as { httpUrl: string };
      expect(await (await fetch(`${httpUrl}/healthz`)).json()).toMatchObject({ auditIntact: false });
    } finally {
      serve.kill('SIGKILL');
    }
    // five CLI processes under tsx: about 17 s on the loaded 2-core machine
  }, 120_000);
});
