import { join } from 'node:path';
import { DurableImage, FleetProcess, freePort, haveCompiler } from '@locker/test-kit/fleet';
import { LockerRig } from '@locker/test-kit/locker';
import Database from 'better-sqlite3';
import { afterAll, expect, it, vi } from 'vitest';

const lockerId = 'ieper-stadhuis-1';
/** Doors forced open and closed again: each one a door_opened, an alarm and a door_closed event. */
const forcedDoors = [1, 2, 3, 4, 5, 6];
const waits = {
  drained: { timeout: 60_000, interval: 100 },
  door: { timeout: 20_000, interval: 50 },
} as const;

let fleet: FleetProcess | undefined;
let rig: LockerRig | undefined;

afterAll(async () => {
  await rig?.stop();
  await fleet?.kill();
});

if (!haveCompiler())
  console.warn('power-cut: no C compiler (`cc`) to build the LD_PRELOAD shim: the test is skipped');

/**
 * The fleet service runs under durable-image-shim.c: at the moment it writes an event acknowledgement
 * to a socket, the shim snapshots its database files as a disk holds them after a power cut (only
 * what was fsync'd). Every acknowledged event must be in that image. With `synchronous = NORMAL` in
 * `FleetStore.open` this test fails: the WAL is synced only at a checkpoint, so no event is there.
 */
it.skipIf(!haveCompiler())(
  'every event the fleet acknowledged is in its database as a power cut at that acknowledgement leaves it',
  { timeout: 180_000 },
  async () => {
    const mqttPort = await freePort();
    const proc = new FleetProcess(
      `http: { host: 127.0.0.1, port: 0 }
mqtt: { broker: embedded, host: 127.0.0.1, port: ${mqttPort} }
`,
    );
    fleet = proc;
    await proc.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
    const locker = JSON.parse(
      await proc.admin([
        'provision-locker',
        '--id',
        lockerId,
        '--municipality',
        'ieper',
        '--name',
        'Stadhuis',
      ]),
    ) as { mqtt: { password: string }; codeKey: string };
    // what the administrative commands wrote was closed (and synced) before the service starts
    const image = new DurableImage(proc.dir, 'events/ack');
    image.start();
    await proc.serve(image.env());

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
    const device = locker_.inProcess!;
    const deviceDb = new Database(join(locker_.dir, 'device.db'), { readonly: true });
    const sent = () =>
      (
        deviceDb.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as
          | { seq: number }
          | undefined
      )?.seq ?? 0;
    // each step waits for the locker to record its events: a door closed before the next poll is never seen open
    for (const door of forcedDoors) {
      const before = sent();
      locker_.act(door, 'force');
      await vi.waitFor(() => expect(sent()).toBeGreaterThanOrEqual(before + 2), waits.door);
      locker_.act(door, 'close');
      await vi.waitFor(() => expect(sent()).toBeGreaterThanOrEqual(before + 3), waits.door);
    }
    // the locker drops an event from its outbox only at its acknowledgement
    await vi.waitFor(() => {
      expect(sent()).toBeGreaterThanOrEqual(forcedDoors.length * 3);
      expect(device.health().outboxDepth).toBe(0);
    }, waits.drained);
    const eventsSent = sent();
    deviceDb.close();

    // every acknowledgement the fleet wrote, as its bytes on the wire: {"seq":N,"id":"…"}
    const acks = new Map<string, { wire: string; id: string }>();
    for (const snapshot of image.snapshots())
      for (const [wire, id] of snapshot.wire.toString('latin1').matchAll(/"seq":\d+,"id":"([0-9a-f-]{36})"/g))
        acks.set(id!, { wire, id: id! });
    expect(acks.size).toBe(eventsSent);
    expect(
      image.lostAtAcknowledgement([...acks.values()], 'fleet.db', 'SELECT 1 FROM events WHERE id = ?'),
    ).toEqual([]);
  },
);
