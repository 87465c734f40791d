import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultItemTypes } from '../domain/item-types.ts';
import { SecretBox } from '../security/secret-box.ts';
import { fleetAuditKey } from '../store/audit-chain.ts';
import { FleetStore } from '../store/fleet-store.ts';
import { LockerRegistry } from './locker-registry.ts';
import { idempotencyDefaults, ReservationDesk } from './reservation-desk.ts';
import { type NewReservation, ReservationService } from './reservation-service.ts';

const lockerId = 'ieper-1';
const masterKey = 'm'.repeat(48);
const clerk = { principal: 'user:clerk-1', key: 'form-fill-0001' };
const anClaes: NewReservation = {
  lockerId,
  itemType: 'hall_key',
  citizen: { name: 'An Claes', email: 'an@example.be', language: 'nl', channel: 'email' },
};

let clock = Date.parse('2026-11-25T09:00:00Z');
const stores: FleetStore[] = [];

/** A desk over the store at `path` (created and provisioned on first open). */
function openDesk(path: string): { store: FleetStore; desk: ReservationDesk } {
  const store = FleetStore.open(path, { auditKey: fleetAuditKey(masterKey) });
  stores.push(store);
  const box = new SecretBox(masterKey);
  const registry = new LockerRegistry(store, box, 's'.repeat(48), () => undefined);
  if (!store.lockers.get(lockerId)) {
    for (const type of defaultItemTypes) store.directory.upsertItemType(type);
    store.directory.upsertMunicipality('ieper', 'Ieper');
    registry.provision({ id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' }, 'test');
  }
  const now = () => clock;
  const reservations = new ReservationService({
    store,
    registry,
    box,
    publisher: { sendChange: () => undefined },
    logger: pino({ level: 'silent' }),
    now,
  });
  return { store, desk: new ReservationDesk({ store, reservations, sendDue: async () => undefined, now }) };
}

const newPath = () => join(mkdtempSync(join(tmpdir(), 'reservation-desk-')), 'fleet.db');
const count = (store: FleetStore) => store.reservations.list({ municipalities: 'all', limit: 100 }).length;

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('ReservationDesk.create with an idempotency key', () => {
  it('answers the same reservation to the same key and body, also after a restart', () => {
    const path = newPath();
    const first = openDesk(path);
    const made = first.desk.create(anClaes, 'clerk', clerk);
    expect(first.desk.create(anClaes, 'clerk', clerk).id).toBe(made.id);
    first.store.close();

    const again = openDesk(path);
    expect(again.desk.create(anClaes, 'clerk', clerk).id).toBe(made.id);
    expect(count(again.store)).toBe(1);
  });

  it('refuses the same key with another body (IDEMPOTENCY_KEY_REUSED) and makes nothing', () => {
    const { store, desk } = openDesk(newPath());
    desk.create(anClaes, 'clerk', clerk);
    const other = { ...anClaes, citizen: { ...anClaes.citizen, name: 'Bart Claes' } };
    expect(() => desk.create(other, 'clerk', clerk)).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 }),
    );
    expect(count(store)).toBe(1);
  });

  it('keeps keys per caller: another caller’s same key is a new reservation', () => {
    const { store, desk } = openDesk(newPath());
    const mine = desk.create(anClaes, 'clerk', clerk);
    const theirs = desk.create(anClaes, 'other', { ...clerk, principal: 'user:clerk-2' });
    expect(theirs.id).not.toBe(mine.id);
    expect(count(store)).toBe(2);
  });

  it('keeps a key for 24 h, and forgets it after', () => {
    const { store, desk } = openDesk(newPath());
    const made = desk.create(anClaes, 'clerk', clerk);
    clock += idempotencyDefaults.keepMs - 1;
    expect(desk.create(anClaes, 'clerk', clerk).id).toBe(made.id);
    clock += 2;
    expect(desk.create(anClaes, 'clerk', clerk).id).not.toBe(made.id);
    expect(store.idempotency.find(clerk.principal, clerk.key)?.reservationId).not.toBe(made.id);
  });
});
