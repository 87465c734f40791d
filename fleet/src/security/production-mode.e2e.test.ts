import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The gaps of issue 10.5, tried against `npm run fleet -- serve` as an operator would start it:
 * each config below used to start a fleet that talked plain MQTT on the network, ran in
 * development mode, or accepted a guessable key. Each must now stop the start, naming the field.
 */
const cli = new URL('../cli/fleet.ts', import.meta.url).pathname;
const strong = randomBytes(32).toString('base64');

function configFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-production-'));
  const file = join(dir, 'fleet.yaml');
  writeFileSync(
    file,
    `http: { host: 127.0.0.1, port: 0 }
store: { path: ${join(dir, 'fleet.db')} }
secrets:
  masterKey: { env: FLEET_MASTER_KEY }
  servicePassword: { env: FLEET_SERVICE_PASSWORD }
${body}`,
  );
  return file;
}

/** Starts `serve` and returns its exit code and what it wrote to stderr (or kills it once it is ready). */
async function serve(file: string, masterKey = strong): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--config', file], {
    env: { ...process.env, FLEET_MASTER_KEY: masterKey, FLEET_SERVICE_PASSWORD: strong },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', () => child.kill('SIGTERM'));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

const embedded = 'mqtt: { broker: embedded, host: 127.0.0.1, port: 0 }';

describe('attack surface: what production mode refuses to start with', () => {
  it('a config without a mode', async () => {
    const result = await serve(configFile(embedded));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/: mode: required: production .* or development/);
  });

  it('plain MQTT on the network next to TLS', async () => {
    const result = await serve(
      configFile(
        'mode: production\nmqtt: { broker: embedded, host: 0.0.0.0, port: 0, tls: { port: 0, certFile: /nonexistent/cert.pem, keyFile: /nonexistent/key.pem } }',
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/: mqtt\.host: production mode serves plain MQTT on loopback only/);
  });

  it('a remote external broker over plain mqtt://', async () => {
    const result = await serve(
      configFile('mode: production\nmqtt: { broker: external, url: "mqtt://mqtt.westhoek.example:1883" }'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /: mqtt\.url: production mode reaches a broker on another machine only over TLS/,
    );
  });

  it.each([
    ['changeme'.repeat(4), 'changeme×4'],
    ['a'.repeat(40), 'a×40'],
  ])('a master key of %s (%s)', async (masterKey) => {
    const result = await serve(configFile(`mode: production\n${embedded}`), masterKey);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /secrets\.masterKey: environment variable FLEET_MASTER_KEY is not random enough for production .*openssl rand -base64 32/,
    );
  });

  it('starts with a random key and plain MQTT on loopback', async () => {
    expect((await serve(configFile(`mode: production\n${embedded}`))).code).toBe(0);
  });
});
