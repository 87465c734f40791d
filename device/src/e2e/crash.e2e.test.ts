import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LockerRig, rigAuditKey } from '@locker/test-kit/locker';
import { afterAll, expect, it } from 'vitest';
import { DeviceStore } from '../store/device-store.ts';

const cycles = Number(process.env.CRASH_CYCLES ?? 120);
const staffPin = '1357246809';
const killWindowMs = { min: 150, max: 1800 };
/** A person needs a moment to reach into a compartment (the device polls the doors every 100 ms here). */
const humanMs = 250;
let rig: LockerRig | undefined;

afterAll(async () => {
  await rig?.stop();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** kill -9 at random moments, restart at once; the figures say how often it happened. */
function superviseWithKills(locker: LockerRig, random: () => number) {
  const figures = { kills: 0, restarts: 0 };
  let running = true;
  const done = (async () => {
    while (running) {
      await locker.startDeviceProcess();
      figures.restarts++;
      await sleep(killWindowMs.min + random() * (killWindowMs.max - killWindowMs.min));
      await locker.killDevice();
      figures.kills++;
    }
  })();
  return {
    figures,
    async stop() {
      running = false;
      await done;
    },
  };
}

it(
  `survives kill -9 at random moments through ${cycles} loading and pickup cycles: no event lost or doubled, no door opened twice`,
  async () => {
    const started = Date.now();
    const kioskPort = await freePort();
    rig = new LockerRig({ kioskPort, sim: { seed: 7 } });
    await rig.start();
    const locker = rig;
    const peer = locker.peer;
    await peer.publish({
      kind: 'staff',
      staff: [{ id: 's-1', display: 'CD', role: 'desk', pinHash: peer.hash('staff', staffPin) }],
    });
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const supervisor = superviseWithKills(locker, random);

    /** One HTTP call to the kiosk; undefined while the device is down. */
    const call = async (path: string, body?: unknown) => {
      try {
        const response = await fetch(`http://127.0.0.1:${kioskPort}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
          signal: AbortSignal.timeout(8000),
        });
        return (await response.json()) as { view: string; params: Record<string, unknown> };
      } catch {
        return undefined;
      }
    };
    const unlockCounts = () => Array.from({ length: 32 }, (_, i) => locker.door(i + 1).unlockCount);
    /** Doors that opened since `before`: the person acts on what they see, whatever the screen said. */
    const openedSince = (before: number[]) =>
      unlockCounts().flatMap((n, i) => (n > before[i]! ? [i + 1] : []));
    const opensPerPickup: number[] = [];
    let loads = 0;

    const reservations: { id: string; pin: string }[] = [];
    const perRound = 10;
    for (let round = 0; reservations.length * 2 < cycles; round++) {
      const batch: { id: string; pin: string }[] = [];
      for (let i = 0; i < perRound && (reservations.length + batch.length) * 2 < cycles; i++) {
        const id = `r-${round}-${i}`;
        const codes = await peer.reserve(id);
        batch.push({ id, pin: codes.pin });
      }
      reservations.push(...batch);
      await peer.until(
        () => peer.deviceVersion >= batch.length + reservations.length - batch.length + 1,
        60_000,
        'reservations applied',
      );

      // staff loads the whole batch; a crash anywhere means: look at the doors, finish what is open, go on
      for (let guard = 0; ; guard++) {
        expect(guard, 'loading makes progress').toBeLessThan(400);
        const loaded = new Set(peer.eventsOf('loaded').map((e) => e.reservationId));
        if (batch.every((r) => loaded.has(r.id))) break;
        const before = unlockCounts();
        const login = await call('/api/code', { code: staffPin });
        const next = login?.view === 'staff' ? await call('/api/staff/load_next') : undefined;
        await sleep(30);
        for (const number of openedSince(before)) {
          await locker.untilDoor(number, true, 3000).catch(() => undefined);
          await sleep(humanMs);
          locker.act(number, 'put-item');
          locker.act(number, 'close');
          loads++;
        }
        if (next?.view === 'staff' && next.params.toLoad === 0) await sleep(200); // loaded events still on their way
        if (!next) await sleep(100);
      }

      // citizens pick up, each by PIN on the keypad; a crash means: if my door is open, take the item
      for (const { id, pin } of batch) {
        const compartment = peer.eventsOf('loaded').find((e) => e.reservationId === id)!.compartment!;
        const before = unlockCounts();
        for (let guard = 0; !peer.eventsOf('picked_up').some((e) => e.reservationId === id); guard++) {
          expect(guard, `pickup of ${id} makes progress`).toBeLessThan(300);
          if (locker.door(compartment).itemPresent) {
            if (!locker.door(compartment).open) {
              const answer = await call('/api/code', { code: pin });
              if (answer?.view === 'rejected' && answer.params.reason === 'already_collected') break;
              await sleep(30);
            }
            if (locker.door(compartment).open) {
              await sleep(humanMs);
              locker.act(compartment, 'take-item');
              locker.act(compartment, 'close');
            }
          } else if (locker.door(compartment).open) locker.act(compartment, 'close');
          await sleep(50);
        }
        opensPerPickup.push(unlockCounts()[compartment - 1]! - before[compartment - 1]!);
      }
    }

    await supervisor.stop();
    await locker.startDeviceProcess();
    await peer.until(
      () => peer.eventsOf('picked_up').length >= reservations.length,
      60_000,
      'all pickups at the fleet',
    );
    await sleep(500);
    await locker.killDevice();

    // at the broker side: every event once (after dropping QoS 1 redeliveries by id), in order, none missing
    const seqs = peer.events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const { id } of reservations) {
      expect(
        peer.eventsOf('loaded').filter((e) => e.reservationId === id),
        `loaded ${id}`,
      ).toHaveLength(1);
      expect(
        peer.eventsOf('picked_up').filter((e) => e.reservationId === id),
        `picked_up ${id}`,
      ).toHaveLength(1);
    }
    // no pickup opened its door twice
    expect(opensPerPickup.filter((n) => n !== 1)).toEqual([]);
    // every compartment's record matches the cabinet
    const store = DeviceStore.open(join(locker.dir, 'device.db'), { auditKey: rigAuditKey });
    try {
      for (const record of store.compartments()) {
        const door = locker.door(record.number);
        expect({ number: record.number, state: record.state, item: door.itemPresent }).toEqual({
          number: record.number,
          state: door.itemPresent ? 'occupied' : 'free',
          item: door.itemPresent,
        });
      }
      expect(store.audit.verify().intact).toBe(true);
      expect(store.outbox.depth()).toBe(0);
    } finally {
      store.close();
    }

    const figures = {
      cycles: loads + opensPerPickup.length,
      loads,
      pickups: opensPerPickup.length,
      kills: supervisor.figures.kills,
      deviceStarts: supervisor.figures.restarts + 1,
      eventsAtFleet: peer.events.length,
      loadsAbortedAfterCrash: peer.eventsOf('load_aborted').length,
      redeliveredDuplicatesDropped: peer.duplicates,
      unlockCommands: locker.simulator.simBus.counters.unlockCommands,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    process.stdout.write(`crash test: ${JSON.stringify(figures)}\n`);
    mkdirSync(new URL('../../../bench/results/', import.meta.url), { recursive: true });
    writeFileSync(
      new URL('../../../bench/results/crash-test.json', import.meta.url),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
    expect(figures.kills).toBeGreaterThan(10);
    expect(figures.unlockCommands).toBe(loads + opensPerPickup.length);
  },
  20 * 60_000,
);
