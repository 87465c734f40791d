import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventType, LockerEvent, ReservationChange } from '@locker/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultItemTypes } from '../domain/item-types.ts';
import { SecretBox } from '../security/secret-box.ts';
import { fleetAuditKey } from '../store/audit-chain.ts';
import { FleetStore } from '../store/fleet-store.ts';
import type { LiveUpdate } from './change-publisher.ts';
import { LockerRegistry } from './locker-registry.ts';
import { ReservationService } from './reservation-service.ts';

const lockerId = 'ieper-1';
const masterKey = 'm'.repeat(48);

let store: FleetStore;
let sent: ReservationChange[];
let live: LiveUpdate[];
let pins: string[];
let service: ReservationService;

beforeEach(() => {
  store = FleetStore.open(join(mkdtempSync(join(tmpdir(), 'reservations-')), 'fleet.db'), {
    auditKey: fleetAuditKey(masterKey),
  });
  for (const type of defaultItemTypes) store.directory.upsertItemType(type);
  store.directory.upsertMunicipality('ieper', 'Ieper');
  const box = new SecretBox(masterKey);
  const registry = new LockerRegistry(store, box, 's'.repeat(48), () => undefined);
  registry.provision({ id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' }, 'test');
  sent = [];
  live = [];
  pins = [];
  service = new ReservationService({
    store,
    registry,
    box,
    publisher: {
      sendChange: (_lockerId, change) => sent.push(change),
    },
    logger: pino({ level: 'silent' }),
    randomPin: () => {
      const pin = pins.shift();
      if (!pin) throw new Error('PIN source exhausted');
      return pin;
    },
  });
  service.on('live', (update) => live.push(update));
});

afterEach(() => {
  store.close();
});

function created() {
  return service.create(
    {
      lockerId,
      itemType: 'hall_key',
      citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
    },
    'clerk',
  );
}

let seq = 0;
const lockerEvent = (type: EventType, reservationId: string): LockerEvent => ({
  v: 1,
  id: randomUUID(),
  seq: ++seq,
  lockerId,
  type,
  at: new Date().toISOString(),
  compartment: 2,
  reservationId,
  data: {},
});
const report = (type: EventType, reservationId: string) =>
  service.applyEvent(lockerEvent(type, reservationId));

describe('ReservationService: one commit-and-publish path', () => {
  it('sends a change and tells the dashboard only after the write committed', () => {
    const reservation = created();
    expect(sent.map((c) => [c.version, c.kind])).toEqual([[1, 'upsert']]);
    expect(live).toEqual([
      { kind: 'reservation', lockerId, reservationId: reservation.id, state: 'ready_to_load' },
    ]);
    pins.push('11111111', '22222222');
    expect(report('loaded', reservation.id)).toBe('applied');
    expect(sent.map((c) => c.version)).toEqual([1, 2]);
    expect(sent[1]).toMatchObject({ kind: 'upsert', reservation: { state: 'loaded' } });
    expect(live.slice(1).map((u) => u.kind)).toEqual(['reservation', 'event']);
    expect(store.notifications.due(new Date(Date.now() + 60_000).toISOString(), 10)).toHaveLength(1);
  });

  it('a loaded event whose codes cannot be issued changes nothing, sends nothing and announces nothing', () => {
    const reservation = created();
    sent.length = 0;
    live.length = 0;
    // no PIN to draw: issuing the codes fails inside the event's transaction
    const loaded = lockerEvent('loaded', reservation.id);
    expect(() => service.applyEvent(loaded)).toThrow('PIN source exhausted');
    expect(service.get(reservation.id).state).toBe('ready_to_load');
    expect(store.events.count()).toBe(0);
    expect(store.lockers.compartment(lockerId, 2)).toBeUndefined();
    expect(sent).toEqual([]);
    expect(live).toEqual([]);
    // unacknowledged, the locker sends it again: applied then, once
    pins.push('11111111', '22222222');
    expect(service.applyEvent(loaded)).toBe('applied');
    expect(service.applyEvent(loaded)).toBe('duplicate');
    expect(service.get(reservation.id).state).toBe('loaded');
  });
});
