import { afterEach, describe, expect, it } from 'vitest';
import { newSession } from './door-session.ts';
import { doorPartsOnFakeBus, doorTiming } from './testing/door-parts-on-fake-bus.ts';

type Parts = ReturnType<typeof doorPartsOnFakeBus>;
let parts: Parts | undefined;

afterEach(() => {
  parts?.store.close();
  parts = undefined;
});

describe('door sessions (fake lock bus, real store, test clock)', () => {
  it('reminds once and alarms once about a door left open, counted on the monotonic clock', () => {
    parts = doorPartsOnFakeBus();
    const { sessions, clock, events } = parts;
    const reminders: number[] = [];
    events.on('reminder', (r) => reminders.push(r.compartment));
    sessions.set(1, newSession('pickup', null, { kind: 'citizen' }, clock.monotonic()));

    clock.stepWall(doorTiming.alarmMs * 2);
    sessions.tick();
    expect(reminders).toEqual([]);
    clock.advance(doorTiming.reminderMs);
    sessions.tick();
    sessions.tick();
    expect(reminders).toEqual([1]);
    expect(parts.eventTypes()).toEqual([]);
    clock.advance(doorTiming.alarmMs);
    sessions.tick();
    sessions.tick();
    expect(parts.eventData()).toEqual([
      expect.objectContaining({ type: 'alarm', data: expect.objectContaining({ code: 'door_left_open' }) }),
    ]);
  });

  it('a close reads the item sensor, records the outcome, announces it and ends the session', async () => {
    parts = doorPartsOnFakeBus({ itemSensor: true });
    const { sessions, clock, events, bus, store } = parts;
    const closed: unknown[] = [];
    events.on('closed', (c) => closed.push(c));
    const session = newSession('service', null, { kind: 'staff', id: 'desk-1' }, clock.monotonic());
    sessions.set(1, session);
    bus.setItem({ board: 0, lock: 1 }, true);

    await sessions.finish(1, session);
    expect(sessions.has(1)).toBe(false);
    expect(store.compartment(1)).toMatchObject({ door: 'closed', itemPresent: true });
    expect(closed).toEqual([
      expect.objectContaining({ compartment: 1, purpose: 'service', reservationId: null }),
    ]);
    expect(parts.eventData()).toEqual([
      expect.objectContaining({ data: { purpose: 'service', itemPresent: true } }),
    ]);
  });
});
