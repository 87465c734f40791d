import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { BoardHealth } from './board-health.ts';
import { type BoardDriver, type BoardReading, type BoardSettings, boardDrivers } from './boards/index.ts';
import { DoorTracker, type DoorTransition } from './door-tracker.ts';
import { BusLink } from './link/bus-link.ts';
import { LinkError } from './link/link-error.ts';
import { type PortOpener, portOpenerFor } from './link/port-opener.ts';
import type {
  DoorChangeCause,
  LockAddress,
  LockBus,
  LockBusCounters,
  LockBusEvents,
  LockBusFault,
  LockBusHealth,
  LockState,
  UnlockResult,
} from './lock-bus.ts';
import {
  type LockBusConfig,
  type LockBusConfigInput,
  type LockBusTiming,
  lockBusConfigSchema,
  resolveBoards,
  resolveTiming,
} from './lock-bus-config.ts';
import { LockBusError } from './lock-bus-error.ts';
import { UnlockSequencer } from './unlock-sequencer.ts';

interface BoardRuntime {
  settings: BoardSettings;
  doors: DoorTracker[];
  itemPresent: boolean[] | undefined;
  health: BoardHealth;
  /** Set once every door of the board has been read; the polarity check runs then. */
  polarityChecked: boolean;
  /** Every door read open at start and commissioning has not confirmed the polarity: unlocks refused. */
  polaritySuspect: boolean;
  lastReadAt: number;
}

interface UnlockWindow {
  deadline: number;
  settle: (opened: boolean) => void;
  /** The unlock request has been written (from then on, reads count for the confirmation). */
  commandWritten: boolean;
  /** Successful reads after the command that showed this door closed. */
  closedReads: number;
  /** A read after the command showed the door open (not yet debounced). */
  sawOpen: boolean;
}

export interface BoardLockBusDeps {
  config: LockBusConfig;
  logger: Logger;
  /** Defaults to the config's transport (tty path or tcp://); tests may hand in a stream. */
  openPort?: PortOpener;
}

/**
 * The adapter: a LockBus over one RS-485 bus of boards of one protocol. Polls boards one after
 * another, debounces door sensors, confirms unlocks by the door sensor only, reports forced and
 * jammed doors, and takes boards offline (doors `unknown`) after repeated failed reads. Every
 * duration runs on the monotonic clock (`performance.now()`); wall-clock time only stamps events.
 */
export class BoardLockBus extends EventEmitter<LockBusEvents> implements LockBus {
  private readonly driver: BoardDriver;
  private readonly timing: LockBusTiming;
  private readonly boards: BoardRuntime[];
  private readonly link: BusLink;
  private readonly sequencer: UnlockSequencer;
  private readonly windows = new Map<string, UnlockWindow>();
  private readonly inFlight = new Map<string, Promise<UnlockResult>>();
  private readonly lastCommandAt = new Map<string, number>();
  private unlocksSent = 0;
  private failedPollsInRow = 0;
  private lastGoodReplyAt: number | null = null;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  /** Validates a raw config (throws ZodError naming each bad field) and builds the bus. */
  static fromConfig(config: LockBusConfigInput, deps: Omit<BoardLockBusDeps, 'config'>): BoardLockBus {
    return new BoardLockBus({ ...deps, config: lockBusConfigSchema.parse(config) });
  }

  constructor(private readonly deps: BoardLockBusDeps) {
    super();
    const { config } = deps;
    this.driver = boardDrivers[config.protocol];
    this.timing = resolveTiming(config);
    const settings = resolveBoards(config);
    this.boards = settings.map((board) => ({
      settings: board,
      doors: Array.from({ length: board.locks }, () => new DoorTracker(this.timing.debounceReads)),
      itemPresent: undefined,
      health: new BoardHealth(this.timing),
      polarityChecked: false,
      polaritySuspect: false,
      lastReadAt: 0,
    }));
    this.link = new BusLink({
      openPort: deps.openPort ?? portOpenerFor(config.transport, config.baudRate ?? this.driver.baudRate),
      replySpec: this.driver.replySpec(settings),
      interFrameGapMs: this.timing.interFrameGapMs,
      baudRate: config.baudRate ?? this.driver.baudRate,
      silenceMs: this.timing.silenceMs,
      reconnectMinMs: this.timing.reconnectMinMs,
      reconnectMaxMs: this.timing.reconnectMaxMs,
      portOpenTimeoutMs: this.timing.portOpenTimeoutMs,
      portWriteTimeoutMs: this.timing.portWriteTimeoutMs,
      logger: deps.logger.child({ module: 'bus-link' }),
    });
    this.sequencer = new UnlockSequencer({
      maxCoilsEnergised: this.timing.maxCoilsEnergised,
      gapMs: this.timing.unlockGapMs,
      coilPulseMs: this.timing.coilPulseMs,
    });
  }

  /** Opens the port, reads every board until its doors are known, then polls. Silent boards go offline; the rest work. */
  async start(): Promise<void> {
    this.running = true;
    this.link.on('wire', (wire) => this.safeEmit('wire', wire));
    await this.link.start();
    const rounds = Math.max(this.timing.debounceReads, this.timing.failedReadsBeforeUnknown);
    for (let round = 0; round < rounds; round++) {
      for (const board of this.boards) await this.readBoard(board, 'normal').catch(() => undefined);
    }
    this.loop = this.pollLoop();
    this.deps.logger.info(
      {
        protocol: this.driver.protocol,
        boards: this.boards.map((b) => ({ address: b.settings.address, online: b.health.online })),
      },
      'lock bus ready',
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    for (const window of this.windows.values()) window.settle(false);
    this.windows.clear();
    await this.loop;
    await this.link.stop();
  }

  unlock(address: LockAddress): Promise<UnlockResult> {
    const board = this.boardFor(address);
    const key = keyOf(address);
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const attempt = this.runUnlock(board, address).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  async readLock(address: LockAddress): Promise<LockState> {
    const board = this.boardFor(address);
    await this.readBoard(board, 'high');
    return this.stateOf(board, address.lock);
  }

  async readAll(): Promise<LockState[]> {
    this.assertRunning();
    const states: LockState[] = [];
    for (const board of this.boards) {
      await this.readBoard(board, 'high').catch(() => undefined);
      for (let lock = 1; lock <= board.doors.length; lock++) states.push(this.stateOf(board, lock));
    }
    return states;
  }

  counters(): LockBusCounters {
    const link = this.link.counters();
    return {
      ...link,
      unlocksSent: this.unlocksSent,
      boards: Object.fromEntries(
        this.boards.map((board) => [
          board.settings.address,
          {
            failedReads: board.health.failedReads,
            offlineTransitions: board.health.offlineTransitions,
            online: board.health.online === true,
            polaritySuspect: board.polaritySuspect,
          },
        ]),
      ),
    };
  }

  health(): LockBusHealth {
    return {
      ok: this.failedPollsInRow < this.timing.unhealthyAfterFailedPolls,
      failedPollsInRow: this.failedPollsInRow,
      sinceLastGoodReplyMs: this.lastGoodReplyAt === null ? null : performance.now() - this.lastGoodReplyAt,
    };
  }

  private async runUnlock(board: BoardRuntime, address: LockAddress): Promise<UnlockResult> {
    this.assertRunning();
    const key = keyOf(address);
    const before = this.refusal(board, address);
    if (before) throw before;
    const slot = await this.sequencer.turn();
    // the door may have been forced open, or the board lost, while this unlock waited for its turn
    const after = this.refusal(board, address);
    if (after) {
      slot.cancelled();
      throw after;
    }
    const window = this.openWindow(key);
    const exchange = this.driver.unlockExchange(board.settings, address.lock);
    const startedAt = performance.now();
    let acknowledged = false;
    /** The board took the command: acknowledged it, or (no reply in this protocol) it was written whole. */
    let commandTaken = false;
    try {
      const reply = await this.link.exchange({
        name: `unlock ${address.board}/${address.lock}`,
        request: exchange.request,
        reply: exchange.matches
          ? { matches: exchange.matches, timeoutMs: this.timing.unlockReplyTimeoutMs }
          : null,
        priority: 'high',
        kind: 'unlock',
        onWire: (wire) => slot.sent(wire.wireEndAt),
      });
      acknowledged = reply !== null;
      commandTaken = true;
      this.unlocksSent++;
    } catch (error) {
      if (error instanceof LinkError && !error.written) {
        slot.cancelled();
        this.closeWindow(key);
        throw new LockBusError('UNLOCK_NOT_SENT', `lock ${key}: ${error.message}`, 'no', { cause: error });
      }
      // the bytes may have reached a coil: count the pulse from now
      slot.sent(performance.now());
      this.deps.logger.warn(
        { lock: key, err: error },
        'unlock written but not acknowledged; watching the door',
      );
    }
    window.commandWritten = true;
    this.lastCommandAt.set(key, performance.now());
    this.wake?.();
    const doorOpened = await window.opened;
    const roundTripMs = performance.now() - startedAt;
    if (doorOpened) return { ...address, acknowledged, roundTripMs };
    if (!this.running) {
      throw new LockBusError(
        'UNLOCK_OUTCOME_UNKNOWN',
        `lock ${key}: bus stopped before the door was seen open`,
        'yes',
      );
    }
    const seconds = (this.timing.unlockConfirmMs / 1000).toFixed(1);
    const seenClosed = window.closedReads >= this.timing.debounceReads && !window.sawOpen;
    if (commandTaken && seenClosed) {
      this.fault({
        code: 'door_jammed',
        board: address.board,
        lock: address.lock,
        message: `door ${key} did not open within ${seconds} s of the unlock`,
      });
      throw new LockBusError('DOOR_JAMMED', `lock ${key}: door not seen open within ${seconds} s`, 'yes');
    }
    const why = !seenClosed
      ? `door ${key} could not be read within ${seconds} s of the unlock`
      : `no acknowledgement and door ${key} stayed closed`;
    this.fault({ code: 'unlock_outcome_unknown', board: address.board, lock: address.lock, message: why });
    throw new LockBusError('UNLOCK_OUTCOME_UNKNOWN', `lock ${key}: ${why}`, commandTaken ? 'yes' : 'unknown');
  }

  /** Why an unlock must not be sent at all (nothing goes on the wire), or `undefined`. */
  private refusal(board: BoardRuntime, address: LockAddress): LockBusError | undefined {
    const key = keyOf(address);
    if (board.polaritySuspect) {
      return new LockBusError(
        'BOARD_POLARITY_SUSPECT',
        `lock ${key}: board ${address.board} read every door open at start; nothing sent`,
      );
    }
    if (board.health.online === false) {
      return new LockBusError(
        'BOARD_OFFLINE',
        `lock ${key}: board ${address.board} is offline; nothing sent`,
      );
    }
    if (board.doors[address.lock - 1]!.state === 'open') {
      return new LockBusError('DOOR_ALREADY_OPEN', `lock ${key}: door reads open; nothing sent`);
    }
    return undefined;
  }

  private openWindow(key: string): UnlockWindow & { opened: Promise<boolean> } {
    let settle!: (opened: boolean) => void;
    const opened = new Promise<boolean>((resolve) => {
      settle = (doorOpened) => {
        this.windows.delete(key);
        resolve(doorOpened);
      };
    });
    const window = {
      deadline: performance.now() + this.timing.unlockConfirmMs,
      settle,
      commandWritten: false,
      closedReads: 0,
      sawOpen: false,
      opened,
    };
    this.windows.set(key, window);
    return window;
  }

  private closeWindow(key: string): void {
    this.windows.get(key)?.settle(false);
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      const now = performance.now();
      for (const window of [...this.windows.values()]) if (now >= window.deadline) window.settle(false);
      let next: BoardRuntime | undefined;
      let nextDue = Number.POSITIVE_INFINITY;
      for (const board of this.boards) {
        const due = board.lastReadAt + this.intervalFor(board);
        if (due < nextDue) {
          nextDue = due;
          next = board;
        }
      }
      for (const window of this.windows.values()) nextDue = Math.min(nextDue, window.deadline);
      if (nextDue > now || !next) {
        await this.sleep(nextDue - now);
        continue;
      }
      await this.readBoard(next, 'normal').catch(() => undefined);
    }
  }

  private intervalFor(board: BoardRuntime): number {
    const prefix = `${board.settings.address}/`;
    for (const key of this.windows.keys()) if (key.startsWith(prefix)) return this.timing.fastPollIntervalMs;
    const { health } = board;
    return health.online === false && !health.recovering
      ? this.timing.offlineRetryMs
      : this.timing.pollIntervalMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, Math.min(ms, 60_000)));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One poll of a board: a reply that fails its checksum is read again at once (bounded), not waited out. */
  private async readBoard(board: BoardRuntime, priority: 'high' | 'normal'): Promise<BoardReading> {
    board.lastReadAt = performance.now();
    let failure: LockBusError | undefined;
    for (let attempt = 0; attempt <= this.timing.statusReadRetries; attempt++) {
      try {
        const reading = await this.readOnce(board, priority);
        this.failedPollsInRow = 0;
        this.lastGoodReplyAt = performance.now();
        this.onReading(board, reading);
        return reading;
      } catch (error) {
        failure = error as LockBusError;
        if (failure.code !== 'BOARD_BAD_REPLY') break;
      }
    }
    this.failedPollsInRow++;
    this.onReadFailure(board, failure);
    throw failure;
  }

  private async readOnce(board: BoardRuntime, priority: 'high' | 'normal'): Promise<BoardReading> {
    const exchange = this.driver.statusExchange(board.settings);
    const address = board.settings.address;
    let frame: Buffer | null;
    try {
      frame = await this.link.exchange({
        name: `status ${address}`,
        request: exchange.request,
        reply: { matches: exchange.matches, timeoutMs: this.timing.statusReplyTimeoutMs },
        priority,
        kind: 'status',
      });
    } catch (error) {
      const bad = error instanceof LinkError && error.code === 'LINK_BAD_FRAME';
      throw new LockBusError(
        bad ? 'BOARD_BAD_REPLY' : 'BOARD_NO_REPLY',
        `board ${address}: ${(error as Error).message}`,
        'yes',
        { cause: error },
      );
    }
    try {
      return exchange.decode(frame!);
    } catch (error) {
      throw new LockBusError('BOARD_BAD_REPLY', `board ${address}: ${(error as Error).message}`, 'yes', {
        cause: error,
      });
    }
  }

  private onReading(board: BoardRuntime, reading: BoardReading): void {
    const address = board.settings.address;
    const verdict = board.health.readSucceeded();
    if (verdict.change === 'ignore') return;
    if (verdict.change === 'online' && verdict.raiseFault) {
      this.fault({ code: 'board_online', board: address, message: `board ${address} answers again` });
    }
    board.itemPresent = reading.itemPresent;
    reading.closed.forEach((closed, i) => {
      const window = this.windows.get(keyOf({ board: board.settings.address, lock: i + 1 }));
      if (window?.commandWritten && closed !== undefined) {
        if (closed) window.closedReads++;
        else window.sawOpen = true;
      }
      const transition = board.doors[i]?.observe(closed);
      if (transition) this.onTransition({ board: board.settings.address, lock: i + 1 }, transition);
    });
    this.checkPolarity(board);
  }

  /** A cabinet whose doors all read open at start is implausible: most likely the polarity setting is wrong. */
  private checkPolarity(board: BoardRuntime): void {
    if (board.polarityChecked || board.doors.some((door) => door.state === 'unknown')) return;
    board.polarityChecked = true;
    if (board.settings.polarityConfirmed || board.doors.some((door) => door.state !== 'open')) return;
    board.polaritySuspect = true;
    const address = board.settings.address;
    this.fault({
      code: 'board_polarity_suspect',
      board: address,
      message: `every door of board ${address} reads open at start: unlocks on it are refused; check the polarity setting (boards[].kerongDialect.closedBitValue; Modbus: boards[].modbus.closedInputValue) or run commissioning to confirm it`,
    });
  }

  private onReadFailure(board: BoardRuntime, error: unknown): void {
    const address = board.settings.address;
    const { health } = board;
    const verdict = health.readFailed(performance.now());
    this.deps.logger.debug(
      { board: address, err: error, consecutive: health.consecutiveFailures },
      'status read failed',
    );
    if (verdict.change !== 'offline') return;
    if (verdict.raiseFault) {
      this.fault({
        code: 'board_offline',
        board: address,
        message: `board ${address} did not answer ${health.consecutiveFailures} reads in a row; its doors are unknown`,
      });
    } else {
      this.deps.logger.warn(
        { board: address, flaps: health.offlineTransitions },
        'board offline again (flapping)',
      );
    }
    board.doors.forEach((door, i) => {
      const transition = door.markUnknown();
      if (transition) this.onTransition({ board: address, lock: i + 1 }, transition);
    });
  }

  private onTransition(address: LockAddress, transition: DoorTransition): void {
    const key = keyOf(address);
    const cause = this.causeOf(key, transition);
    if (transition.to === 'open') this.windows.get(key)?.settle(true);
    if (cause === 'forced') {
      this.fault({ code: 'door_forced', ...address, message: `door ${key} opened with no unlock command` });
    }
    this.safeEmit('door', {
      ...address,
      door: transition.to,
      previous: transition.from,
      cause,
      at: new Date(),
    });
  }

  private causeOf(key: string, { from, to, lastKnown }: DoorTransition): DoorChangeCause {
    if (to === 'unknown') return 'unreadable';
    if (to === 'closed') {
      if (from !== 'unknown') return 'closed';
      return lastKnown === null ? 'initial' : 'reappeared';
    }
    if (this.windows.has(key)) return 'unlock';
    if (lastKnown === null) return 'initial';
    const commandAt = this.lastCommandAt.get(key);
    if (commandAt !== undefined && performance.now() - commandAt < 2 * this.timing.unlockConfirmMs)
      return 'late-unlock';
    if (from === 'unknown' && lastKnown === 'open') return 'reappeared';
    return 'forced';
  }

  private fault(fault: Omit<LockBusFault, 'at'>): void {
    this.deps.logger.warn(fault, fault.message);
    this.safeEmit('fault', { ...fault, at: new Date() });
  }

  /** A listener that throws must not stop the bus. */
  private safeEmit<K extends keyof LockBusEvents>(event: K, ...args: LockBusEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: LockBusEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.deps.logger.error({ err: error, event }, 'lock bus listener threw');
    }
  }

  private stateOf(board: BoardRuntime, lock: number): LockState {
    return {
      board: board.settings.address,
      lock,
      door: board.doors[lock - 1]!.state,
      itemPresent: board.itemPresent?.[lock - 1],
    };
  }

  private boardFor(address: LockAddress): BoardRuntime {
    this.assertRunning();
    const board = this.boards.find((b) => b.settings.address === address.board);
    if (!board || !Number.isInteger(address.lock) || address.lock < 1 || address.lock > board.doors.length) {
      throw new LockBusError('UNKNOWN_LOCK', `no lock ${address.lock} on board ${address.board}`);
    }
    return board;
  }

  private assertRunning(): void {
    if (!this.running) throw new LockBusError('BUS_NOT_STARTED', 'the lock bus is not running');
  }
}

function keyOf(address: LockAddress): string {
  return `${address.board}/${address.lock}`;
}
