import { afterEach, describe, expect, it } from 'vitest';
import { doorPartsOnFakeBus } from './testing/door-parts-on-fake-bus.ts';

type Parts = ReturnType<typeof doorPartsOnFakeBus>;
let parts: Parts | undefined;

afterEach(() => {
  parts?.store.close();
  parts = undefined;
});

describe('door reconciler (fake lock bus, real store)', () => {
  it('holds a door whose board is silent at start until the board answers, then settles the opening a crash left', async () => {
    parts = doorPartsOnFakeBus();
    const { reconciler, bus, pending, store, events } = parts;
    pending(1, 'load', true);
    bus.setBoardOnline(0, false);
    const closed: number[] = [];
    events.on('closed', (c) => closed.push(c.compartment));

    await reconciler.reconcileAll();
    expect(reconciler.isAwaiting(1)).toBe(true);
    expect(parts.eventData().filter((e) => e.data.found === 'door_unknown')).toHaveLength(2);
    // a reading still unknown keeps it waiting
    expect(await reconciler.boardAnswered(parts.compartments[0]!, 'unknown')).toBe(false);
    expect(reconciler.isAwaiting(1)).toBe(true);

    expect(await reconciler.boardAnswered(parts.compartments[0]!, 'closed')).toBe(true);
    expect(reconciler.isAwaiting(1)).toBe(false);
    expect(store.pendingUnlock(1)).toBeUndefined();
    expect(closed).toEqual([1]);
  });

  it('a pending unlock never seen open, door closed, no item sensor: cleared and held for staff, no session', async () => {
    parts = doorPartsOnFakeBus();
    const { reconciler, pending, store, sessions } = parts;
    pending(1, 'pickup', false);
    await reconciler.reconcileAll();
    expect(store.pendingUnlock(1)).toBeUndefined();
    expect(store.compartment(1)).toMatchObject({ state: 'fault', fault: 'unlock_outcome_unknown' });
    expect(sessions.has(1)).toBe(false);
    expect(parts.eventData().map((e) => e.data.found)).toEqual(['unlock_outcome_unknown']);
  });

  it('a pending unlock whose door reads open is followed to its close, its opening recorded once', async () => {
    parts = doorPartsOnFakeBus();
    const { reconciler, pending, bus, store, sessions } = parts;
    pending(2, 'load', false);
    bus.setDoor({ board: 0, lock: 2 }, 'open', 'initial');
    await reconciler.reconcileAll();
    expect(sessions.get(2)).toMatchObject({ purpose: 'load', actor: { kind: 'staff', id: 'desk-1' } });
    expect(store.pendingUnlock(2)?.opened).toBe(true);
    expect(store.compartment(2)).toMatchObject({ state: 'open', door: 'open', opens: 1 });
    expect(parts.eventTypes()).toEqual(['door_opened']);
  });

  it('a door found open with no unlock pending is followed as a service opening and reported', async () => {
    parts = doorPartsOnFakeBus();
    const { reconciler, bus, store, sessions } = parts;
    bus.setDoor({ board: 0, lock: 1 }, 'open', 'initial');
    await reconciler.reconcileAll();
    expect(sessions.get(1)).toMatchObject({ purpose: 'service', actor: { kind: 'system' } });
    expect(store.pendingUnlock(1)).toMatchObject({ purpose: 'service', opened: true });
    expect(parts.eventData().map((e) => e.data)).toEqual([{ found: 'door_open', expected: 'closed' }]);
  });
});
