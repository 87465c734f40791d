import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MqttLocker } from '@locker/simulator';
import pino from 'pino';
import { fleetConfigSchema } from '../fleet/src/config/fleet-config.ts';
import { FleetServer } from '../fleet/src/fleet-server.ts';
import { firstLine } from './locker-runtime.ts';

/** The fleet from source under tsx, as `npm run fleet` runs it. */
export const tsxFleet = ['--import', 'tsx', new URL('../fleet/src/cli/fleet.ts', import.meta.url).pathname];
/** The fleet as a release runs it (`fleet.service`): the build under plain node. Needs `npm run build`. */
export const builtFleet = [
  '--enable-source-maps',
  new URL('../fleet/dist/cli/fleet.js', import.meta.url).pathname,
];

const secret = 'b'.repeat(48);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const rssOf = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;

/** A fleet store with `lockerCount` provisioned lockers and a config file for `fleet serve`; their MQTT passwords. */
export async function fleetWithLockers(lockerCount: number) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-process-'));
  const config = {
    mode: 'development',
    http: { host: '127.0.0.1', port: 0 },
    // every simulated locker connects from 127.0.0.1
    mqtt: { broker: 'embedded', host: '127.0.0.1', port: 0, limits: { connectionsPerAddress: 5000 } },
    store: { path: join(dir, 'fleet.db') },
    secrets: { masterKey: { env: 'K' }, servicePassword: { env: 'K' } },
  };
  const configFile = join(dir, 'fleet.json');
  writeFileSync(configFile, JSON.stringify(config));
  // provisioned against the store alone, as the CLI's administrative commands do
  const admin = new FleetServer({
    config: fleetConfigSchema.parse({ ...config, mqtt: { broker: 'external', url: 'mqtt://127.0.0.1:1' } }),
    logger: pino({ level: 'warn' }),
    env: { K: secret },
  });
  await admin.fleet.open();
  admin.fleet.directory.add('ieper', 'Ieper', 'bench');
  const lockers = Array.from({ length: lockerCount }, (_, i) => {
    const id = `ieper-${String(i + 1).padStart(4, '0')}`;
    const { mqtt } = admin.fleet.registry.provision(
      { id, municipalityId: 'ieper', siteId: null, name: id },
      'bench',
    );
    return { id, password: mqtt.password };
  });
  await admin.fleet.stop();
  return { configFile, lockers };
}

/** Fleet process (`fleet serve`): RSS after `idleMs` with nobody connected, then with every locker logged in. */
export async function fleetRss(
  setup: Awaited<ReturnType<typeof fleetWithLockers>>,
  runtime: string[],
  idleMs: number,
) {
  const child = spawn(process.execPath, [...runtime, 'serve', '--config', setup.configFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, K: secret },
  });
  try {
    const { brokerUrl } = JSON.parse(await firstLine(child, 'the fleet')) as { brokerUrl: string };
    await sleep(idleMs);
    const idleRss = rssOf(child.pid!);
    const lockers = setup.lockers.map((l) => new MqttLocker(l.id, { url: brokerUrl, password: l.password }));
    for (let i = 0; i < lockers.length; i += 50)
      await Promise.all(lockers.slice(i, i + 50).map((l) => l.start()));
    await sleep(idleMs);
    const connectedRss = rssOf(child.pid!);
    for (let i = 0; i < lockers.length; i += 100)
      await Promise.all(lockers.slice(i, i + 100).map((l) => l.stop()));
    return {
      idleRssMiB: mib(idleRss),
      rssWithLockersMiB: mib(connectedRss),
      lockers: lockers.length,
      idleMs,
    };
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}
