import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PendingUnlock } from '../store/store-types.ts';
import { coreOnFakeBus } from './testing/core-on-fake-bus.ts';

type Locker = Awaited<ReturnType<typeof coreOnFakeBus>>;

const pin = '48215937';
const staffPin = '7391046285';
let locker: Locker | undefined;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  locker?.stop();
  locker = undefined;
  vi.useRealTimers();
});

/** A loaded reservation `r-1` for `pin` in compartment 1. */
async function withLoadedPickup(): Promise<Locker> {
  locker = await coreOnFakeBus();
  expect(
    locker.core.applyChange({
      v: 1,
      version: 1,
      kind: 'upsert',
      reservation: locker.reservation('r-1', pin),
    }),
  ).toBe('applied');
  locker.placeIn(1, 'r-1');
  return locker;
}

/** Lets an unlock in flight settle: its timer fires and the flow after it runs. */
const settle = (ms = 1_000) => vi.advanceTimersByTimeAsync(ms);

/** The person closes the door, and the door keeper records the close. */
async function close(compartment: number) {
  locker!.bus.setDoor(locker!.lockOf(compartment), 'closed');
  await settle(100);
}

/** A code entered, and whatever unlock it asks for settled: what the screen then says. */
async function enter(code: string) {
  const shown = locker!.core.enterCode(code, 'keypad');
  await settle();
  return shown;
}

describe('never a door opened twice: decisions on a fake lock bus, fake timers', () => {
  it('a pickup code used twice: the second is refused once the close is recorded, one unlock sent', async () => {
    const { store, sent } = await withLoadedPickup();
    expect((await enter(pin)).view).toBe('door_open');
    await close(1);
    expect(store.reservation('r-1')?.state).toBe('picked_up');

    const second = await enter(pin);
    expect(second).toMatchObject({ view: 'rejected', params: { reason: 'already_collected' } });
    expect(sent()).toBe(1);
  });

  it('a pickup while the same compartment’s unlock is in flight is refused (BUSY), not sent', async () => {
    const { core, bus, sent, lockOf } = await withLoadedPickup();
    bus.script(lockOf(1), { afterMs: 500 });
    const first = core.enterCode(pin, 'keypad');
    await settle(100);
    expect(sent()).toBe(1);

    const second = core.enterCode(pin, 'screen');
    await settle(100);
    expect(bus.unlocks).toHaveLength(1);
    await settle();
    expect(await second).toMatchObject({ view: 'error', params: { code: 'door_fault', compartment: 1 } });
    expect((await first).view).toBe('door_open');
    expect(sent()).toBe(1);
  });

  it('an unlock of unknown outcome is not retried, and the code does not open the door again until staff check it', async () => {
    const { core, bus, store, sent, lockOf, eventTypes } = await withLoadedPickup();
    // the board may have taken the command: the lock opens late, the citizen takes the item and closes
    bus.script(lockOf(1), { afterMs: 200, error: 'UNLOCK_OUTCOME_UNKNOWN', opensLate: true });
    const first = core.enterCode(pin, 'keypad');
    await settle();
    expect(await first).toMatchObject({ view: 'error', params: { code: 'door_fault' } });
    expect(store.compartment(1)).toMatchObject({ state: 'fault', fault: 'unlock_outcome_unknown' });
    await close(1);
    await settle(10 * 60_000);
    expect(sent()).toBe(1);

    expect(await enter(pin)).toMatchObject({ view: 'error', params: { code: 'door_fault' } });
    expect(sent()).toBe(1);
    expect(eventTypes()).toContain('fault');

    // IT enables the compartment after checking it: pickups open it again
    await core.command({
      v: 1,
      requestId: 'enable-1',
      type: 'enable',
      compartment: 1,
      reason: 'checked',
      by: 'it-1',
    });
    expect((await enter(pin)).view).toBe('door_open');
    expect(sent()).toBe(2);
  });

  describe('after a crash with an opening pending', () => {
    const pending = (opened: boolean): PendingUnlock => ({
      compartment: 1,
      purpose: 'pickup',
      reservationId: 'r-1',
      actorKind: 'citizen',
      actorId: 'r-1',
      startedAt: '2026-11-24T09:59:00.000Z',
      opened,
    });

    it('opened and closed while the locker was down: the pickup is recorded at start, the code then refused, nothing sent', async () => {
      const { store, sent } = await withLoadedPickupAfterCrash(pending(true), 'closed');
      expect(store.reservation('r-1')?.state).toBe('picked_up');
      expect(store.pendingUnlock(1)).toBeUndefined();
      expect(await enter(pin)).toMatchObject({
        view: 'rejected',
        params: { reason: 'already_collected' },
      });
      expect(sent()).toBe(0);
    });

    it('found open at start: followed to its close, the code refused meanwhile and after, nothing sent', async () => {
      const { store, sent } = await withLoadedPickupAfterCrash(pending(false), 'open');
      expect((await enter(pin)).view).toBe('error');
      await close(1);
      expect(store.reservation('r-1')?.state).toBe('picked_up');
      expect((await enter(pin)).view).toBe('rejected');
      expect(sent()).toBe(0);
    });

    it('sent but never seen open, door closed, no item sensor: not reopened, the code opens nothing until staff check', async () => {
      const { core, store, sent } = await withLoadedPickupAfterCrash(pending(false), 'closed');
      expect(store.pendingUnlock(1)).toBeUndefined();
      expect(store.compartment(1)).toMatchObject({ state: 'fault', fault: 'unlock_outcome_unknown' });
      expect(await enter(pin)).toMatchObject({ view: 'error', params: { code: 'door_fault' } });
      expect(sent()).toBe(0);

      await core.command({
        v: 1,
        requestId: 'enable-1',
        type: 'enable',
        compartment: 1,
        reason: 'checked',
        by: 'it-1',
      });
      expect((await enter(pin)).view).toBe('door_open');
      expect(sent()).toBe(1);
    });

    it('sent but never seen open, door closed, the item sensor sees the item gone: the pickup is recorded, not reopened', async () => {
      const { store, sent } = await withLoadedPickupAfterCrash(pending(false), 'closed', [], false);
      expect(store.reservation('r-1')?.state).toBe('picked_up');
      expect(store.compartment(1)).toMatchObject({ state: 'free', fault: null });
      expect(await enter(pin)).toMatchObject({ view: 'rejected', params: { reason: 'already_collected' } });
      expect(sent()).toBe(0);
    });

    it('its board silent at start: the code meanwhile sends nothing; reconciled when the board answers, not reopened', async () => {
      const { bus, store, sent } = await withLoadedPickupAfterCrash(pending(true), 'closed', [0]);
      expect(await enter(pin)).toMatchObject({ view: 'error', params: { code: 'door_fault' } });
      expect(store.reservation('r-1')?.state).toBe('loaded');

      bus.setBoardOnline(0, true);
      await settle(100);
      expect(store.reservation('r-1')?.state).toBe('picked_up');
      expect(await enter(pin)).toMatchObject({ view: 'rejected', params: { reason: 'already_collected' } });
      expect(sent()).toBe(0);
    });

    /** `itemPresent`: what the compartments' item sensors read at start; no sensors when undefined. */
    async function withLoadedPickupAfterCrash(
      left: PendingUnlock,
      door: 'open' | 'closed',
      offline: number[] = [],
      itemPresent?: boolean,
    ) {
      const crashed = await withLoadedPickup();
      crashed.stop();
      // the same database and cabinet, a new process
      locker = await coreOnFakeBus({
        ...(itemPresent === undefined ? {} : { itemSensors: true, itemsAtStart: { 1: itemPresent } }),
        storePath: crashed.config.store.path,
        prepare: (store) => store.transaction(() => store.setPendingUnlock(left)),
        doorsAtStart: { 1: door },
        boardsOfflineAtStart: offline,
      });
      return locker;
    }
  });

  it('a remote open during a citizen’s pickup on the same door is refused (BUSY) and the pickup still recorded', async () => {
    const { core, store, sent } = await withLoadedPickup();
    expect((await enter(pin)).view).toBe('door_open');

    const remote = await core.command({
      v: 1,
      requestId: 'open-1',
      type: 'open',
      compartment: 1,
      reason: 'citizen called',
      by: 'it-1',
    });
    expect(remote.result).toMatchObject({ ok: false, code: 'BUSY' });
    await close(1);
    expect(store.reservation('r-1')?.state).toBe('picked_up');
    expect((await enter(pin)).view).toBe('rejected');
    expect(sent()).toBe(1);
  });

  it('a remote open delivered twice while it runs: one unlock, the repeat joins the first and is not answered', async () => {
    locker = await coreOnFakeBus();
    const { core, bus, lockOf, sent } = locker;
    bus.script(lockOf(2), { afterMs: 500 });
    const command = {
      v: 1 as const,
      requestId: 'open-2',
      type: 'open' as const,
      compartment: 2,
      reason: 'staff at the desk',
      by: 'it-1',
    };
    const first = core.command(command);
    await settle(100);
    const repeat = core.command(command);
    await settle();
    expect(await first).toMatchObject({ answer: true, result: { ok: true } });
    expect(await repeat).toMatchObject({ answer: false, result: { ok: true } });
    // delivered again after it ran: the remembered result, nothing sent
    expect(await core.command(command)).toMatchObject({ answer: true, result: { ok: true } });
    expect(sent()).toBe(1);
  });

  it('a duplicated snapshot delivered after a newer change is not applied: the PIN it carried stays replaced', async () => {
    locker = await coreOnFakeBus();
    const { core, reservation, placeIn, sent } = locker;
    const snapshot = {
      v: 1 as const,
      version: 1,
      kind: 'snapshot' as const,
      reservations: [reservation('r-1', pin)],
      staff: [],
    };
    expect(core.applyChange(snapshot)).toBe('applied');
    placeIn(1, 'r-1');
    // the citizen lost the PIN: the fleet issues a new one, which replaces the old
    const newPin = '59302741';
    expect(
      core.applyChange({ v: 1, version: 2, kind: 'upsert', reservation: reservation('r-1', newPin) }),
    ).toBe('applied');
    expect(core.applyChange(snapshot)).toBe('duplicate');
    expect(core.syncVersion()).toBe(2);

    expect(await enter(pin)).toMatchObject({
      view: 'rejected',
      params: { reason: 'unknown_code' },
    });
    expect(sent()).toBe(0);
    const opened = core.enterCode(newPin, 'keypad');
    await settle();
    expect((await opened).view).toBe('door_open');
    expect(sent()).toBe(1);
  });

  it('a return code on a loan already returned is refused: one compartment opened for one return', async () => {
    locker = await coreOnFakeBus();
    const { core, store, bus, reservation, pinHash, sent } = locker;
    const returnPin = '61729384';
    const loan = reservation('loan-1', pin, {
      kind: 'loan',
      state: 'picked_up',
      returnPinHash: pinHash(returnPin),
    });
    core.applyChange({ v: 1, version: 1, kind: 'upsert', reservation: loan });
    const first = core.enterCode(returnPin, 'keypad');
    await settle();
    expect(await first).toMatchObject({ view: 'door_open', params: { purpose: 'return', compartment: 1 } });
    await close(1);
    expect(store.reservation('loan-1')?.state).toBe('returned');

    expect(await enter(returnPin)).toMatchObject({
      view: 'rejected',
      params: { reason: 'not_on_loan' },
    });
    expect(bus.unlocks).toEqual([{ board: 0, lock: 1 }]);
    expect(sent()).toBe(1);
  });

  it('staff loading while a return’s unlock is in flight gets another compartment, never the one just chosen', async () => {
    locker = await coreOnFakeBus({ sizes: ['S', 'S'] });
    const { core, store, bus, reservation, pinHash, staffPinHash, lockOf } = locker;
    const returnPin = '61729384';
    core.applyChange({
      v: 1,
      version: 1,
      kind: 'snapshot',
      reservations: [
        reservation('loan-1', pin, { kind: 'loan', state: 'picked_up', returnPinHash: pinHash(returnPin) }),
        reservation('doc-2', '30571846', { state: 'ready_to_load', pinHash: undefined }),
      ],
      staff: [{ id: 'staff-1', display: 'AB', role: 'desk', pinHash: staffPinHash(staffPin) }],
    });
    expect((await core.enterCode(staffPin, 'keypad')).view).toBe('staff');
    bus.script(lockOf(1), { afterMs: 500 });
    const returning = core.enterCode(returnPin, 'screen');
    await settle(100);
    expect(bus.unlocks).toEqual([lockOf(1)]);

    const loading = core.staffAction('load_next');
    await settle();
    expect((await loading).view).toBe('door_open');
    expect((await returning).view).toBe('door_open');
    expect(bus.unlocks).toEqual([lockOf(1), lockOf(2)]);
    expect(store.reservation('doc-2')?.compartment).toBe(2);
  });
});
