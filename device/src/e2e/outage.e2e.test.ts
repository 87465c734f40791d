import { LockerRig } from '@locker/test-kit/locker';
import { afterAll, expect, it, vi } from 'vitest';

const staffPin = '5566778829';
let rig: LockerRig | undefined;

afterAll(async () => {
  await rig?.stop();
});

const post = async (path: string, body?: unknown) =>
  (await (
    await fetch(`${rig!.kioskUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    })
  ).json()) as { view: string; params: Record<string, unknown> };

it('broker down for a long stretch while pickups go on: afterwards every event arrives once, in order', async () => {
  rig = new LockerRig();
  const locker = rig;
  await locker.start();
  await locker.startDeviceInProcess();
  const { peer } = locker;
  await peer.publish({
    kind: 'staff',
    staff: [{ id: 's-2', display: 'GH', role: 'desk', pinHash: peer.hash('staff', staffPin) }],
  });
  const reservations = [];
  for (let i = 0; i < 12; i++) reservations.push({ id: `r-out-${i}`, ...(await peer.reserve(`r-out-${i}`)) });
  await peer.until(() => peer.deviceVersion === reservations.length + 1, 10_000, 'reservations applied');
  await post('/api/code', { code: staffPin });
  // the locker picks which waiting reservation comes next: wait for each compartment's own load
  for (let loaded = 0; loaded < reservations.length; loaded++) {
    const opened = await post('/api/staff/load_next');
    expect(opened.view, JSON.stringify(opened)).toBe('door_open');
    const number = opened.params.compartment as number;
    locker.act(number, 'put-item');
    locker.act(number, 'close');
    await peer.until(() => peer.eventsOf('loaded').some((e) => e.compartment === number), 10_000, 'loaded');
  }
  await post('/api/staff/end');
  await peer.until(() => locker.inProcess!.health().outboxDepth === 0, 10_000, 'online events drained');
  const beforeOutage = peer.events.length;

  // the outage: the broker is gone; citizens keep coming, service staff open doors with the key
  await locker.broker.stop();
  await vi.waitFor(() => expect(locker.inProcess!.health().fleetConnected).toBe(false), { timeout: 10_000 });
  for (const r of reservations) {
    const answer = await post('/api/code', { code: r.pin });
    expect(answer.view, JSON.stringify(answer)).toBe('door_open');
    const number = answer.params.compartment as number;
    locker.act(number, 'take-item');
    locker.act(number, 'close');
    await locker.untilScreen('done');
  }
  // many days of use compressed: hundreds of door openings with the service key while offline
  // each step waits until the locker has recorded all ten doors (at least one event each), not for a time
  const outboxDepth = () => locker.inProcess!.health().outboxDepth as number;
  const recorded = async (action: 'key' | 'close') => {
    const before = outboxDepth();
    for (let number = 20; number < 30; number++) locker.act(number, action);
    await vi.waitFor(() => expect(outboxDepth()).toBeGreaterThanOrEqual(before + 10), { timeout: 20_000 });
  };
  for (let round = 0; round < 15; round++) {
    await recorded('key');
    await recorded('close');
  }
  const waiting = locker.inProcess!.health().outboxDepth as number;
  expect(waiting).toBeGreaterThan(300);
  expect(peer.events.length).toBe(beforeOutage);

  // the broker returns: every waiting event arrives, once, in sequence order; the outbox empties only
  // on the peer's acknowledgements (a door may still report its last close after `waiting` was read)
  await locker.broker.start();
  await peer.until(() => locker.inProcess!.health().outboxDepth === 0, 60_000, 'events after the outage');
  expect(peer.events.length).toBeGreaterThanOrEqual(beforeOutage + waiting);
  const seqs = peer.events.map((e) => e.seq);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  expect(
    peer
      .eventsOf('picked_up')
      .map((e) => e.reservationId)
      .sort(),
  ).toEqual(reservations.map((r) => r.id).sort());
  process.stdout.write(
    `outage test: ${JSON.stringify({ eventsHeldDuringOutage: waiting, duplicatesDropped: peer.duplicates })}\n`,
  );
}, 180_000);
