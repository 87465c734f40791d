import { createTestFleet } from '@locker/test-kit/fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';

let fleet: Fleet;
let clerkId: string;

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.open();
  fleet.directory.add('ieper', 'Ieper', 'test');
  fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  const clerk = await fleet.staff.create(
    {
      username: 'clerk',
      display: 'Clerk',
      password: 'a long enough pass',
      role: 'desk',
      municipalities: ['ieper'],
    },
    'test',
  );
  clerkId = clerk.id;
}, 30_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('staff PINs at the lockers (fleet with its SQLite file)', () => {
  it('refuses PINs in the citizens’ 8 digits or shorter, and trivial ones, and changes nothing', () => {
    const before = fleet.store.users.staffPins('ieper-1');
    for (const pin of [
      '000000',
      '00000000',
      '12345678',
      '1234567890',
      '9876543210',
      '5555555555',
      '2026202620',
    ])
      expect(() => fleet.staff.setLockerPin(clerkId, pin, 'admin'), pin).toThrow(
        expect.objectContaining({ code: 'STAFF_PIN_INVALID' }),
      );
    expect(fleet.store.users.staffPins('ieper-1')).toEqual(before);
  });

  it('sets a PIN of 10 digits at every locker of the clerk’s municipalities', () => {
    expect(fleet.staff.setLockerPin(clerkId, '2026110525', 'admin')).toBe(1);
    expect(fleet.store.users.staffPins('ieper-1')).toHaveLength(1);
  });
});
