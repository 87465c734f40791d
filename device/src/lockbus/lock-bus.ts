import type { EventEmitter } from 'node:events';
import type { WireEvent } from './link/bus-link.ts';

/** A lock as wired: the board's bus address and the lock number printed on the board (from 1). */
export interface LockAddress {
  board: number;
  lock: number;
}

export type DoorState = 'open' | 'closed' | 'unknown';

export interface LockState extends LockAddress {
  /** Debounced door state; `unknown` after repeated failed reads. */
  door: DoorState;
  /** Item sensor where the board has one (CU16), else `undefined`. */
  itemPresent: boolean | undefined;
}

/** Only ever a confirmed opening: a door that already read open is refused (`DOOR_ALREADY_OPEN`), never a result. */
export interface UnlockResult extends LockAddress {
  /** The board answered the unlock command (protocols with a reply). */
  acknowledged: boolean;
  /** Command written → door seen open. */
  roundTripMs: number;
}

/** Why a door changed: by our command, with no command (forced, key), first seen, or unreadable. */
export type DoorChangeCause =
  | 'unlock'
  | 'forced'
  | 'closed'
  | 'initial'
  | 'unreadable'
  | 'late-unlock'
  | 'reappeared';

export interface DoorEvent extends LockAddress {
  door: DoorState;
  previous: DoorState;
  cause: DoorChangeCause;
  at: Date;
}

export type LockBusFaultCode =
  | 'door_forced'
  | 'door_jammed'
  | 'board_offline'
  | 'board_online'
  | 'board_polarity_suspect'
  | 'unlock_outcome_unknown';

export interface LockBusFault {
  code: LockBusFaultCode;
  board: number;
  lock?: number;
  message: string;
  at: Date;
}

export interface LockBusCounters {
  requests: number;
  timeouts: number;
  checksumErrors: number;
  structureErrors: number;
  resyncs: number;
  discardedBytes: number;
  unexpectedFrames: number;
  reconnects: number;
  writeErrors: number;
  writeTimeouts: number;
  openTimeouts: number;
  unlocksSent: number;
  boards: Record<
    number,
    { failedReads: number; offlineTransitions: number; online: boolean; polaritySuspect: boolean }
  >;
}

/** For `/healthz` and the watchdog: `ok` is false after `unhealthyAfterFailedPolls` polls in a row without a good reply. */
export interface LockBusHealth {
  ok: boolean;
  /** Status polls in a row (any board) that got no usable reply; 0 after any good one. */
  failedPollsInRow: number;
  /** Monotonic ms since the last good reply; `null` before the first. */
  sinceLastGoodReplyMs: number | null;
}

export interface LockBusEvents {
  door: [DoorEvent];
  fault: [LockBusFault];
  /** Trace: a request left the wire (monotonic times), e.g. to check coil spacing. */
  wire: [WireEvent];
}

/**
 * What the rest of the device sees of the lock boards. An unlock resolves only when the door
 * sensor has seen the door open; it never resends a command whose outcome is unknown.
 */
export interface LockBus extends EventEmitter<LockBusEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  unlock(lock: LockAddress): Promise<UnlockResult>;
  readLock(lock: LockAddress): Promise<LockState>;
  readAll(): Promise<LockState[]>;
  counters(): LockBusCounters;
  health(): LockBusHealth;
}
