import { EventEmitter } from 'node:events';
import type {
  DoorChangeCause,
  DoorState,
  LockAddress,
  LockBus,
  LockBusCounters,
  LockBusEvents,
  LockBusHealth,
  LockState,
  UnlockResult,
} from '../lock-bus.ts';
import { type CommandSent, LockBusError, type LockBusErrorCode } from '../lock-bus-error.ts';

/** What one unlock does, in order per lock; unscripted unlocks open the door after `fakeLockBusDefaults.unlockMs`. */
export interface ScriptedUnlock {
  /** How long the unlock takes before it settles (a `setTimeout`: fake timers move it). */
  afterMs?: number;
  /** The error it ends with; absent: the board confirms and the door is seen open. */
  error?: LockBusErrorCode;
  /** With `UNLOCK_OUTCOME_UNKNOWN`: the lock did open after all, seen as a `late-unlock` door change. */
  opensLate?: boolean;
}

export const fakeLockBusDefaults = {
  /** An unscripted unlock: written → door seen open. */
  unlockMs: 10,
};

/** Whether an unlock that failed with this code may have reached the board, as the real bus says it. */
const sentBy: Partial<Record<LockBusErrorCode, CommandSent>> = {
  UNLOCK_OUTCOME_UNKNOWN: 'unknown',
  DOOR_JAMMED: 'yes',
};

interface FakeLock {
  door: DoorState;
  itemPresent: boolean | undefined;
  script: ScriptedUnlock[];
}

/**
 * A lock bus in memory for unit tests of what sits on it (the door keeper and the flows): doors
 * and item sensors set by the test, scripted unlock outcomes (a confirmed opening, a refusal, an
 * outcome unknown, a lock that opens late), offline boards, and delays run on timers so that
 * `vi.useFakeTimers()` decides when an unlock in flight settles. Keeps the bus's contract: a door
 * that reads open is never unlocked (`DOOR_ALREADY_OPEN`), an offline board is sent nothing
 * (`BOARD_OFFLINE`); every unlock asked of it is in {@link unlocks}, in order.
 */
export class FakeLockBus extends EventEmitter<LockBusEvents> implements LockBus {
  /** Every unlock asked of the bus, in order: what would have gone to the wire (or been refused before it). */
  readonly unlocks: LockAddress[] = [];
  private readonly locks = new Map<string, FakeLock>();
  private readonly offline = new Set<number>();
  private sent = 0;

  constructor(private readonly addresses: readonly LockAddress[]) {
    super();
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** The next unlocks of this lock do these, in order. */
  script(lock: LockAddress, ...unlocks: ScriptedUnlock[]): void {
    this.lock(lock).script.push(...unlocks);
  }

  /** A person (or the force of one) moves the door: a door change is reported unless its board is offline. */
  setDoor(
    lock: LockAddress,
    door: 'open' | 'closed',
    cause: DoorChangeCause = door === 'open' ? 'forced' : 'closed',
  ): void {
    const state = this.lock(lock);
    const previous = state.door;
    state.door = door;
    if (!this.offline.has(lock.board) && previous !== door) this.report(lock, door, previous, cause);
  }

  setItem(lock: LockAddress, present: boolean): void {
    this.lock(lock).itemPresent = present;
  }

  /** An offline board reads `unknown`, refuses unlocks; back online, its doors are reported as they are. */
  setBoardOnline(board: number, online: boolean): void {
    if (online === !this.offline.has(board)) return;
    if (!online) {
      this.offline.add(board);
      return;
    }
    this.offline.delete(board);
    for (const address of this.addresses)
      if (address.board === board) this.report(address, this.lock(address).door, 'unknown', 'reappeared');
  }

  async unlock(address: LockAddress): Promise<UnlockResult> {
    const lock = this.lock(address);
    this.unlocks.push({ board: address.board, lock: address.lock });
    if (this.offline.has(address.board))
      throw new LockBusError('BOARD_OFFLINE', `board ${address.board} does not answer`, 'no');
    if (lock.door === 'open')
      throw new LockBusError('DOOR_ALREADY_OPEN', `lock ${keyOf(address)} reads open`, 'no');
    const scripted = lock.script.shift() ?? {};
    this.sent += 1;
    await new Promise((resolve) => setTimeout(resolve, scripted.afterMs ?? fakeLockBusDefaults.unlockMs));
    if (scripted.error) {
      if (scripted.opensLate) setTimeout(() => this.setDoor(address, 'open', 'late-unlock'), 0);
      throw new LockBusError(
        scripted.error,
        `scripted for lock ${keyOf(address)}`,
        sentBy[scripted.error] ?? 'no',
      );
    }
    const previous = lock.door;
    lock.door = 'open';
    this.report(address, 'open', previous, 'unlock');
    return { ...address, acknowledged: true, roundTripMs: scripted.afterMs ?? fakeLockBusDefaults.unlockMs };
  }

  async readLock(address: LockAddress): Promise<LockState> {
    const lock = this.lock(address);
    if (this.offline.has(address.board))
      throw new LockBusError('BOARD_NO_REPLY', `board ${address.board} does not answer`, 'no');
    return { ...address, door: lock.door, itemPresent: lock.itemPresent };
  }

  async readAll(): Promise<LockState[]> {
    return this.addresses.map((address) => {
      const lock = this.lock(address);
      const offline = this.offline.has(address.board);
      return {
        ...address,
        door: offline ? 'unknown' : lock.door,
        itemPresent: offline ? undefined : lock.itemPresent,
      };
    });
  }

  counters(): LockBusCounters {
    return {
      requests: this.unlocks.length,
      timeouts: 0,
      checksumErrors: 0,
      structureErrors: 0,
      resyncs: 0,
      discardedBytes: 0,
      unexpectedFrames: 0,
      reconnects: 0,
      writeErrors: 0,
      writeTimeouts: 0,
      openTimeouts: 0,
      unlocksSent: this.sent,
      boards: Object.fromEntries(
        [...new Set(this.addresses.map((a) => a.board))].map((board) => [
          board,
          { failedReads: 0, offlineTransitions: 0, online: !this.offline.has(board), polaritySuspect: false },
        ]),
      ),
    };
  }

  health(): LockBusHealth {
    return { ok: true, failedPollsInRow: 0, sinceLastGoodReplyMs: 0 };
  }

  private report(lock: LockAddress, door: DoorState, previous: DoorState, cause: DoorChangeCause): void {
    this.emit('door', { board: lock.board, lock: lock.lock, door, previous, cause, at: new Date() });
  }

  private lock(address: LockAddress): FakeLock {
    const key = keyOf(address);
    const known = this.locks.get(key);
    if (known) return known;
    if (!this.addresses.some((a) => keyOf(a) === key))
      throw new LockBusError('UNKNOWN_LOCK', `lock ${key} is not on this bus`, 'no');
    const lock: FakeLock = { door: 'closed', itemPresent: undefined, script: [] };
    this.locks.set(key, lock);
    return lock;
  }
}

const keyOf = (address: LockAddress) => `${address.board}/${address.lock}`;
