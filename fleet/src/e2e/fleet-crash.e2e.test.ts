import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetProcess, freePort, SmtpCapture } from '@locker/test-kit/fleet';
import { LockerRig } from '@locker/test-kit/locker';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterAll, expect, it } from 'vitest';
import { decodeQrPng } from '../demo/qr-decode.ts';

const cycles = Number(process.env.FLEET_CRASH_CYCLES ?? 16);
const lockerId = 'ieper-stadhuis-1';
const password = 'a long enough password';
const staffPin = '1212121299';
const resultsDir = new URL('../../../bench/results/', import.meta.url).pathname;

let fleet: FleetProcess | undefined;
let rig: LockerRig | undefined;
let smtp: SmtpCapture | undefined;

afterAll(async () => {
  await rig?.stop();
  await fleet?.stop();
  await smtp?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it(`the fleet process killed with SIGKILL at random moments through ${cycles} reservation → load → e-mail → pickup cycles: every locker event applied once, every reservation ends picked up`, {
  timeout: 600_000,
}, async () => {
  smtp = new SmtpCapture();
  await smtp.start();
  const mqttPort = await freePort();
  const proc = new FleetProcess(
    `http: { host: 127.0.0.1, port: 0 }
mqtt: { broker: embedded, host: 127.0.0.1, port: ${mqttPort} }
notify:
  pollMs: 200
  retry: { firstDelayMs: 200, maxDelayMs: 1000, maxAttempts: 50 }
  email: { host: 127.0.0.1, port: ${smtp.port}, secure: false, from: "Stad Ieper <loket@ieper.example>" }
`,
  );
  fleet = proc;
  await proc.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
  const locker = JSON.parse(
    await proc.admin(['provision-locker', '--id', lockerId, '--municipality', 'ieper', '--name', 'Stadhuis']),
  ) as {
    mqtt: { password: string };
    codeKey: string;
  };
  await proc.admin(['create-user', '--username', 'balie', '--role', 'desk', '--municipality', 'ieper'], {
    FLEET_NEW_USER_PASSWORD: password,
  });
  let httpUrl = (await proc.serve()).httpUrl;
  const locker_ = new LockerRig({
    fleet: {
      url: `mqtt://127.0.0.1:${mqttPort}`,
      lockerId,
      municipality: 'ieper',
      password: locker.mqtt.password,
      codeKey: locker.codeKey,
    },
  });
  rig = locker_;
  await locker_.start();
  await locker_.startDeviceInProcess();

  // one login; the session lives in the fleet's database and survives every kill
  const login = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'balie', password }),
  });
  const headers = {
    cookie: String(login.headers.get('set-cookie')).split(';')[0]!,
    'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken,
    'content-type': 'application/json',
  };
  let kills = 0;
  const restart = async () => {
    await proc.kill();
    kills++;
    await sleep(Math.random() * 300);
    httpUrl = (await proc.serve()).httpUrl;
  };
  const maybeKill = async (chance: number) => {
    if (Math.random() < chance) await restart();
  };
  /** An API call that waits out a fleet restart. */
  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`${httpUrl}${path}`, {
          method,
          headers,
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        if (r.ok) return r.json();
        if (attempt > 100) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      } catch (error) {
        if (attempt > 100) throw error;
      }
      if (!proc.running) httpUrl = (await proc.serve()).httpUrl;
      await sleep(100);
    }
  };
  const until = async (check: () => Promise<boolean> | boolean, what: string, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) {
        const locker = JSON.stringify(locker_.inProcess?.health());
        throw new Error(`timed out waiting for ${what}; locker: ${locker}\n${proc.log.slice(-3000)}`);
      }
      await sleep(50);
    }
  };
  const inSync = async () => {
    const l = (await api('GET', `/api/lockers/${lockerId}`)) as {
      appliedVersion: number;
      latestVersion: number;
    };
    return l.appliedVersion >= l.latestVersion;
  };

  const me = (await api('GET', '/api/me')) as { id: string };
  await api('POST', `/api/users/${me.id}/locker-pin`, { pin: staffPin });
  const made: string[] = [];
  for (let i = 0; i < cycles; i++) {
    const email = `citizen${i}@example.be`;
    const r = (await api('POST', '/api/reservations', {
      lockerId,
      itemType: 'hall_key',
      citizen: { name: `Burger ${i}`, email, language: 'nl', channel: 'email' },
    })) as { id: string };
    made.push(r.id);
    await maybeKill(0.3);
    await until(inSync, `reservation ${i} at the locker`);
    await locker_.simulator.input('keypad', staffPin);
    await locker_.untilScreen('staff');
    const opened = (await (
      await fetch(`${locker_.kioskUrl}/api/staff/load_next`, { method: 'POST' })
    ).json()) as { view: string; params: { compartment: number } };
    expect(opened.view).toBe('door_open');
    const n = opened.params.compartment;
    locker_.act(n, 'put-item');
    await maybeKill(0.3);
    locker_.act(n, 'close');
    await locker_.untilScreen('staff');
    await fetch(`${locker_.kioskUrl}/api/staff/end`, { method: 'POST' });
    await maybeKill(0.3);
    let qr: string | undefined;
    await until(async () => {
      for (const raw of smtp!.mails) {
        const mail = await simpleParser(raw);
        if ((Array.isArray(mail.to) ? mail.to[0]?.text : mail.to?.text) === email) {
          qr = decodeQrPng(mail.attachments.find((a) => a.cid === 'pickup-qr')!.content);
          return true;
        }
      }
      return false;
    }, `the e-mail of cycle ${i}`);
    await until(inSync, `codes of cycle ${i} at the locker`);
    await locker_.simulator.input('scanner', qr!);
    await locker_.untilScreen('door_open');
    await maybeKill(0.3);
    locker_.act(n, 'take-item');
    locker_.act(n, 'close');
    await locker_.untilScreen('done');
  }
  if (!proc.running) await proc.serve();
  await until(() => locker_.inProcess!.health().outboxDepth === 0, 'the locker’s outbox drained');
  await until(async () => {
    const list = (await api('GET', '/api/reservations?limit=1000')) as { id: string; state: string }[];
    return made.every((id) => list.find((x) => x.id === id)?.state === 'picked_up');
  }, 'every reservation picked up at the fleet');

  // what the fleet holds against what the locker sent: sequence 1…N, each once
  const deviceDb = new Database(join(locker_.dir, 'device.db'), { readonly: true });
  const sent = (
    deviceDb.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number }
  ).seq;
  deviceDb.close();
  const fleetDb = new Database(join(proc.dir, 'fleet.db'), { readonly: true });
  const seqs = (
    fleetDb.prepare('SELECT seq FROM events WHERE locker_id = ? ORDER BY seq').all(lockerId) as {
      seq: number;
    }[]
  ).map((r) => r.seq);
  const pickups = fleetDb
    .prepare(
      "SELECT reservation_id AS id, COUNT(*) AS n FROM events WHERE type = 'picked_up' GROUP BY reservation_id",
    )
    .all() as { id: string; n: number }[];
  fleetDb.close();
  expect(seqs).toEqual(Array.from({ length: sent }, (_, k) => k + 1));
  expect(pickups.length).toBe(cycles);
  expect(pickups.every((p) => p.n === 1)).toBe(true);
  expect(kills).toBeGreaterThan(0);
  const figures = {
    cycles,
    fleetKills: kills,
    eventsSentByLocker: sent,
    eventsAtFleet: seqs.length,
    emails: smtp.mails.length,
  };
  process.stdout.write(`fleet crash test: ${JSON.stringify(figures)}\n`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'fleet-crash-test.json'), `${JSON.stringify(figures, null, 2)}\n`);
});
