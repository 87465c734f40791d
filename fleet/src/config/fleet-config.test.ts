import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile } from '@locker/node-kit';
import { describe, expect, it } from 'vitest';
import { fleetConfigSchema } from './fleet-config.ts';

const example = new URL('../../../hardware-docs/fleet/fleet.example.yaml', import.meta.url).pathname;

describe('fleet config', () => {
  it('the documented example is valid', () => {
    const config = loadConfigFile(fleetConfigSchema, example);
    expect(config).toMatchObject({
      mode: 'production',
      http: { trustedProxies: ['127.0.0.1'] },
      mqtt: { broker: 'embedded', host: '127.0.0.1', tls: { host: '0.0.0.0', port: 8883 } },
    });
    expect(config.notify.retry.maxAttempts).toBe(8);
  });

  it('in production allows a plain external broker only on loopback', () => {
    const base = {
      mode: 'production',
      http: { port: 0 },
      store: { path: 'fleet.db' },
      secrets: { masterKey: { env: 'K' }, servicePassword: { env: 'P' } },
    };
    const parse = (url: string) =>
      fleetConfigSchema.safeParse({ ...base, mqtt: { broker: 'external', url } });
    expect(parse('mqtt://127.0.0.1:1883').success).toBe(true);
    expect(parse('mqtt://[::1]:1883').success).toBe(true);
    expect(parse('mqtts://mqtt.westhoek.example:8883').success).toBe(true);
    expect(parse('mqtt://mqtt.westhoek.example:1883').success).toBe(false);
    expect(parse('ws://10.1.2.3:9001').success).toBe(false);
  });

  it('names every problem of a bad file by its field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleet-config-')), 'bad.yaml');
    writeFileSync(
      file,
      'mode: staging\nhttp: { port: 99999 }\nmqtt: { broker: cloud }\nstore: {}\nsecrets: { masterKey: "in clear" }\n',
    );
    try {
      loadConfigFile(fleetConfigSchema, file);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const field of [
        'mode',
        'http.port',
        'mqtt.broker',
        'store.path',
        'secrets.masterKey',
        'secrets.servicePassword',
      ])
        expect(problems).toContain(`: ${field}: `);
    }
  });
});
