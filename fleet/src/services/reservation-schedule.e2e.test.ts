import { randomUUID } from 'node:crypto';
import type { LockerEvent } from '@locker/protocol';
import { MqttLocker } from '@locker/simulator';
import { createTestFleet, until } from '@locker/test-kit/fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';

const day = 86_400_000;
const lockerId = 'ieper-1';
let clock = Date.parse('2026-12-01T09:00:00Z');
let fleet: Fleet;
let locker: MqttLocker;
let seq = 0;

/** What the locker reports, over MQTT as that locker. */
async function report(type: LockerEvent['type'], reservationId: string, compartment: number): Promise<void> {
  seq++;
  await locker.report({
    id: randomUUID(),
    seq,
    type,
    at: new Date(clock).toISOString(),
    compartment,
    reservationId,
  });
}

const newReservation = (itemType: string) =>
  fleet.reservations.create(
    {
      lockerId,
      itemType,
      citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
    },
    'clerk',
  );

const kinds = (id: string) => fleet.store.notifications.forReservation(id).map((n) => n.kind);

beforeAll(async () => {
  // the scheduler's timer is far away: the test runs tick() itself at the moments it chooses
  fleet = createTestFleet({ schedule: { tickMs: 3_600_000 } }, () => clock);
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  const provisioned = fleet.registry.provision(
    { id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  locker = new MqttLocker(lockerId, { url: fleet.brokerUrl, password: provisioned.mqtt.password });
  await locker.start();
}, 30_000);

afterAll(async () => {
  await locker?.stop();
  await fleet?.stop();
});

describe('expiry, overdue loans and reminders on a schedule (clock injected)', () => {
  it('reminds a day before the collection deadline, then expires the reservation and tells the locker', async () => {
    const r = newReservation('hall_key');
    await report('loaded', r.id, 1);
    await until(() => fleet.reservations.get(r.id).state === 'loaded', 'loaded');
    const deadline = Date.parse(fleet.reservations.get(r.id).expiresAt!);
    expect(deadline).toBe(clock + 7 * day);

    clock = deadline - 2 * day;
    fleet.reservations.tick();
    expect(kinds(r.id)).not.toContain('expiry_reminder');
    clock = deadline - 12 * 3_600_000;
    fleet.reservations.tick();
    fleet.reservations.tick();
    expect(kinds(r.id).filter((k) => k === 'expiry_reminder')).toHaveLength(1);

    const versionBefore = locker.version;
    clock = deadline + 1000;
    expect(fleet.reservations.tick()).toBe(1);
    expect(fleet.reservations.get(r.id).state).toBe('expired');
    await until(() => locker.version > versionBefore, 'expiry pushed to the locker');
    const audit = fleet.store.audit.list({ municipalities: ['ieper'], limit: 50 });
    expect(audit.some((a) => a.action === 'reservation.expire' && a.target === r.id)).toBe(true);
  });

  it('a loan gets its due date at pickup, a reminder before it, and an overdue notice after it, once', async () => {
    const r = newReservation('hall_key');
    await report('loaded', r.id, 2);
    await until(() => fleet.reservations.get(r.id).state === 'loaded', 'loaded');
    await report('picked_up', r.id, 2);
    await until(() => fleet.reservations.get(r.id).state === 'picked_up', 'picked up');
    const due = Date.parse(fleet.reservations.get(r.id).dueAt!);
    expect(due).toBe(clock + 3 * day);

    clock = due - 6 * 3_600_000;
    fleet.reservations.tick();
    expect(kinds(r.id)).toContain('return_reminder');
    clock = due + 1000;
    fleet.reservations.tick();
    fleet.reservations.tick();
    expect(kinds(r.id).filter((k) => k === 'overdue')).toHaveLength(1);
    expect(fleet.reservations.get(r.id)).toMatchObject({ state: 'picked_up', overdue: true });

    await report('returned', r.id, 3);
    await until(() => fleet.reservations.get(r.id).state === 'returned', 'returned');
  });
});
