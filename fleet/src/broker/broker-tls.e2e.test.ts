import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestFleet } from '@locker/test-kit/fleet';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'broker-tls-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
let fleet: Fleet;
let locker: ProvisionedLocker;

function connect(options: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(`mqtts://127.0.0.1:${fleet.broker!.tlsPort}`, {
    reconnectPeriod: 0,
    connectTimeout: 3000,
    ...options,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=fleet.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  fleet = createTestFleet({
    mqtt: { broker: 'embedded', host: '127.0.0.1', port: 0, tls: { port: 0, certFile, keyFile } },
  });
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  locker = fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
}, 30_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('embedded broker over TLS (certificate from the config)', () => {
  it('a locker that trusts the certificate logs in over TLS with its own credentials', async () => {
    const client = await connect({
      ca: readFileSync(certFile),
      username: 'ieper-1',
      password: locker.mqtt.password,
      clientId: 'locker-ieper-1',
    });
    expect(client.connected).toBe(true);
    await client.endAsync(true);
  });

  it('a client that does not trust the certificate is refused before any login', async () => {
    await expect(
      connect({ username: 'ieper-1', password: locker.mqtt.password, clientId: 'locker-ieper-1' }),
    ).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
