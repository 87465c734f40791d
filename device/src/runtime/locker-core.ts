import type { Command, CommandResult, ReservationChange } from '@locker/protocol';
import type { Logger } from 'pino';
import type { DeviceConfig } from '../config/device-config.ts';
import { decideCode, type SecondFactorWait } from '../flows/code-decision.ts';
import { chooseCompartment, nextSize } from '../flows/compartment-choice.ts';
import { type LockoutBlock, type LockoutState, lockoutBlock, recordFailure } from '../flows/lockout.ts';
import { fromRecord, type RecordClock, toRecord } from '../flows/lockout-record.ts';
import { mergeReservationState } from '../flows/reservation-merge.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { isWriteFailure } from '../store/store-error.ts';
import type { ReservationRecord } from '../store/store-types.ts';
import { type Clock, instantOf } from './clock.ts';
import { type GuessCounter, guessCounter, resolveCode } from './code-resolver.ts';
import type { DoorKeeper, OpenResult } from './door-keeper.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { Screen, ScreenState } from './screen.ts';

export type CodeSource = 'keypad' | 'scanner' | 'screen';
export type StaffAction = 'load_next' | 'bigger' | 'retrieve_next' | 'end';

interface StaffVisit {
  staffId: string;
  display: string;
  current: { compartment: number; reservationId: string } | null;
}

export type ChangeVerdict = 'applied' | 'duplicate' | 'gap';

const alarmCodes = {
  citizen: { wrong_codes: 'wrong_codes', entry_suspended: 'pin_entry_suspended' },
  staff: { wrong_codes: 'wrong_staff_codes', entry_suspended: 'staff_entry_suspended' },
} as const;

/** Citizens' and staff's wrong codes are counted apart: citizens' mistakes never lock staff out. */
const lockoutKeys: Record<GuessCounter, string> = { citizen: 'lockout', staff: 'lockout_staff' };
const syncVersionKey = 'sync_version';

/**
 * What happens at the locker: codes in, doors opened through the door keeper, the screen told
 * what to say, staff visits, the fleet's commands and reservation changes. Decisions are the
 * pure flows; this class only fetches their inputs and carries out their outputs.
 */
export class LockerCore {
  private waiting: SecondFactorWait | null = null;
  private staff: StaffVisit | null = null;
  private screenOwner: number | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Fleet commands being carried out, by request id: a duplicate delivery joins its first. */
  private readonly runningCommands = new Map<string, Promise<CommandResult>>();

  constructor(
    private readonly deps: {
      config: DeviceConfig;
      store: DeviceStore;
      doors: DoorKeeper;
      recorder: EventRecorder;
      screen: Screen;
      codeKey: string;
      logger: Logger;
      /** Wall clock for stamps and validity windows, monotonic clock for lockout delays and the second-factor window. */
      clock: Clock;
      cue?: (kind: 'ok' | 'error' | 'alert') => void;
      /** False while the database refuses writes: codes and staff actions get "out of service". */
      storeWritable?: () => boolean;
      /** False while the lock bus gets no good reply (adapter gone): codes are not evaluated, the screen says "out of service". */
      busHealthy?: () => boolean;
    },
  ) {}

  private readonly onClosed = ({
    compartment,
    outcome,
  }: {
    compartment: number;
    outcome: { screen: string };
  }) => {
    if (this.staff?.current?.compartment === compartment) {
      this.staff.current = null;
      this.showStaff(outcome.screen);
    } else if (this.screenOwner === compartment) {
      this.screenOwner = null;
      this.show(outcome.screen === 'item_left' ? 'item_left' : 'done', {
        compartment,
        outcome: outcome.screen,
      });
    }
  };

  private readonly onReminder = ({ compartment }: { compartment: number }) => {
    this.deps.cue?.('alert');
    if (this.screenOwner === compartment || this.staff?.current?.compartment === compartment)
      this.show('door_reminder', { compartment, ...this.position(compartment) });
  };

  start(): void {
    this.deps.doors.on('closed', this.onClosed);
    this.deps.doors.on('reminder', this.onReminder);
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    this.deps.doors.off('closed', this.onClosed);
    this.deps.doors.off('reminder', this.onReminder);
  }

  get screen(): ScreenState {
    return this.deps.screen.current;
  }

  async enterCode(text: string, source: CodeSource): Promise<ScreenState> {
    return this.whenInService(() => this.takeCode(text, source));
  }

  async staffAction(action: StaffAction): Promise<ScreenState> {
    return this.whenInService(() => this.takeStaffAction(action));
  }

  private async takeCode(text: string, source: CodeSource): Promise<ScreenState> {
    const { store, config, clock } = this.deps;
    // a code that could be guessed is not evaluated while its counter blocks it; a QR code always is
    const counter = guessCounter(text);
    const block = counter ? lockoutBlock(this.lockout(counter), clock.monotonic(), config.lockout) : null;
    if (block && block.kind !== 'open') return this.showBlock(block);
    const match = resolveCode(store, this.deps.codeKey, config.lockerId, text);
    const decision = decideCode(match, this.waiting, instantOf(clock));
    this.deps.logger.info(
      {
        source,
        decision: decision.action,
        ...(decision.action === 'reject' ? { reason: decision.reason } : {}),
      },
      'code entered',
    );
    if (decision.action === 'reject') {
      this.waiting = null;
      if (decision.countsAsFailure && counter) return this.failure(counter, decision.reason);
      this.deps.cue?.('error');
      return this.show('rejected', { reason: decision.reason, lockerId: decision.lockerId ?? null });
    }
    switch (decision.action) {
      case 'second_factor':
        this.waiting = decision.wait;
        return this.show('second_factor', { need: decision.wait.have === 'pin' ? 'qr' : 'pin' });
      case 'staff': {
        this.waiting = null;
        const staff = store.db
          .prepare('SELECT id, display FROM staff WHERE id = ?')
          .get(decision.staffId) as { id: string; display: string };
        this.staff = { staffId: staff.id, display: staff.display, current: null };
        return this.showStaff(null);
      }
      case 'open_pickup':
        this.waiting = null;
        return this.openForCitizen(decision.compartment, 'pickup', decision.reservationId);
      case 'open_return': {
        this.waiting = null;
        const reservation = store.reservation(decision.reservationId);
        const number = reservation && this.choose(reservation.size, new Set());
        if (!number) return this.show('error', { code: 'no_free_compartment' });
        return this.openForCitizen(number, 'return', decision.reservationId);
      }
    }
  }

  private async takeStaffAction(action: StaffAction): Promise<ScreenState> {
    const visit = this.staff;
    if (!visit) return this.show('error', { code: 'staff_login_needed' });
    this.touch();
    const { store } = this.deps;
    const actor = { kind: 'staff' as const, id: visit.staffId };
    switch (action) {
      case 'end':
        this.staff = null;
        return this.show('welcome');
      case 'load_next':
      case 'bigger': {
        const reservation =
          action === 'bigger' && visit.current
            ? store.reservation(visit.current.reservationId)
            : this.toLoad().find((r) => !this.deps.doors.isOpen(r.compartment ?? -1));
        if (!reservation) return this.showStaff('nothing_to_load');
        const exclude = new Set(visit.current ? [visit.current.compartment] : []);
        const atLeast =
          action === 'bigger' && visit.current
            ? nextSize(this.sizeOf(visit.current.compartment))
            : reservation.size;
        const number = atLeast && this.choose(reservation.size, exclude, atLeast);
        if (!number) return this.showStaff('no_free_compartment');
        store.transaction(() =>
          store.setReservationState(reservation.id, reservation.state, number, this.iso()),
        );
        visit.current = { compartment: number, reservationId: reservation.id };
        this.show('opening', { compartment: number, ...this.position(number), staff: true });
        const result = await this.deps.doors.open(
          number,
          'load',
          reservation.id,
          actor,
          `load ${reservation.label}`,
        );
        return this.afterStaffOpen(result, reservation.label);
      }
      case 'retrieve_next': {
        const number = this.toRetrieve()[0];
        if (number === undefined) return this.showStaff('nothing_to_retrieve');
        const record = store.compartment(number);
        visit.current = { compartment: number, reservationId: record?.reservationId ?? '' };
        this.show('opening', { compartment: number, ...this.position(number), staff: true });
        const result = await this.deps.doors.open(
          number,
          'retrieve',
          record?.reservationId ?? null,
          actor,
          'retrieve',
        );
        return this.afterStaffOpen(result, null);
      }
    }
  }

  /**
   * A fleet command, applied once per request id: a repeated delivery gets the first result again.
   * One that arrives while the first is still running joins it and is not answered on its own
   * (`answer: false`): the fleet keeps the first answer it gets, so it must be the real result,
   * never a BUSY from the command's own first delivery.
   */
  async command(command: Command): Promise<{ result: CommandResult; answer: boolean }> {
    const running = this.runningCommands.get(command.requestId);
    if (running) return { result: await running, answer: false };
    const seen = this.deps.store.commandResult(command.requestId);
    if (seen) return { result: JSON.parse(seen) as CommandResult, answer: true };
    const execution = this.execute(command).finally(() => this.runningCommands.delete(command.requestId));
    this.runningCommands.set(command.requestId, execution);
    return { result: await execution, answer: true };
  }

  private async execute(command: Command): Promise<CommandResult> {
    const { store } = this.deps;
    let result: Omit<CommandResult, 'v' | 'requestId' | 'at'>;
    const actor = { kind: 'fleet' as const, id: command.by };
    if (command.type === 'open') {
      const opened = await this.deps.doors.open(
        command.compartment,
        'remote',
        null,
        actor,
        `remote: ${command.reason}`,
      );
      result = opened.ok ? { ok: true } : { ok: false, code: opened.code, message: opened.message };
    } else if (command.type === 'disable' || command.type === 'enable') {
      result = this.setDisabled(command.compartment, command.type === 'disable', command.reason, actor);
    } else {
      result = { ok: true, message: 'resync requested' };
    }
    const full: CommandResult = { v: 1, requestId: command.requestId, at: this.iso(), ...result };
    store.transaction(() => store.rememberCommand(command.requestId, JSON.stringify(full), this.iso()));
    return full;
  }

  syncVersion(): number {
    return Number(this.deps.store.getMeta(syncVersionKey) ?? 0);
  }

  /** Applies a reservation change in version order; a repeat is acknowledged again, a gap asks for a catch-up. */
  applyChange(change: ReservationChange): ChangeVerdict {
    const { store } = this.deps;
    const current = this.syncVersion();
    if (change.version <= current) return 'duplicate';
    if (change.kind !== 'snapshot' && change.version !== current + 1) return 'gap';
    store.transaction(() => {
      const now = this.iso();
      if (change.kind === 'upsert') this.upsert(change.reservation, now);
      else if (change.kind === 'remove') this.remove(change.reservationId);
      else if (change.kind === 'staff') store.replaceStaff(change.staff);
      else {
        const keep = new Set(change.reservations.map((r) => r.id));
        for (const r of store.reservations()) if (!keep.has(r.id)) this.remove(r.id);
        for (const r of change.reservations) this.upsert(r, now);
        store.replaceStaff(change.staff);
      }
      store.setMeta(syncVersionKey, String(change.version));
    });
    return 'applied';
  }

  private upsert(reservation: Parameters<DeviceStore['upsertReservation']>[0], now: string): void {
    const { store } = this.deps;
    const local = store.reservation(reservation.id);
    store.upsertReservation(
      { ...reservation, state: mergeReservationState(local?.state, reservation.state) },
      now,
    );
  }

  private remove(id: string): void {
    const { store } = this.deps;
    const local = store.reservation(id);
    // an item still inside stays known until staff retrieve it
    if (local?.compartment && store.compartment(local.compartment)?.reservationId === id)
      store.setReservationState(id, 'cancelled', local.compartment, this.iso());
    else store.removeReservation(id);
  }

  private setDisabled(
    number: number,
    disable: boolean,
    reason: string,
    actor: { kind: 'fleet'; id: string },
  ) {
    const { store, recorder } = this.deps;
    const record = store.compartment(number);
    if (!record)
      return { ok: false, code: 'UNKNOWN_COMPARTMENT', message: `compartment ${number} is not configured` };
    store.transaction(() => {
      const state = disable ? 'disabled' : record.reservationId ? 'occupied' : 'free';
      store.updateCompartment(
        number,
        { state, disabledReason: disable ? reason : null, fault: disable ? record.fault : null },
        this.iso(),
      );
      store.audit.append({
        at: this.iso(),
        compartment: number,
        actorKind: actor.kind,
        actorId: actor.id,
        reason: `${disable ? 'disable' : 'enable'}: ${reason}`,
        outcome: state,
      });
      recorder.record('compartment_state', { compartment: number, actor, data: { state, reason } });
    });
    return { ok: true };
  }

  private async openForCitizen(
    number: number,
    purpose: 'pickup' | 'return',
    reservationId: string,
  ): Promise<ScreenState> {
    this.show('opening', { compartment: number, ...this.position(number) });
    const result = await this.deps.doors.open(
      number,
      purpose,
      reservationId,
      { kind: 'citizen', id: reservationId },
      purpose,
    );
    if (!result.ok) {
      this.deps.cue?.('error');
      return this.show('error', {
        code: screenCodeOf(result.code),
        compartment: number,
      });
    }
    this.deps.cue?.('ok');
    this.screenOwner = number;
    const item = this.deps.config.compartments.find((c) => c.number === number)?.itemSensor ?? false;
    return this.show('door_open', {
      compartment: number,
      purpose,
      itemSensor: item,
      ...this.position(number),
    });
  }

  private afterStaffOpen(result: OpenResult, label: string | null): ScreenState {
    if (!result.ok) {
      if (this.staff) this.staff.current = null;
      this.deps.cue?.('error');
      return this.showStaff(screenCodeOf(result.code));
    }
    this.deps.cue?.('ok');
    return this.show('door_open', {
      compartment: result.compartment,
      staff: true,
      label,
      ...this.position(result.compartment),
    });
  }

  /** No door opens without its record nor over a dead bus: while either lasts, say so instead of an error page. */
  private async whenInService(work: () => Promise<ScreenState>): Promise<ScreenState> {
    if (this.deps.storeWritable?.() === false) return this.outOfService();
    if (this.deps.busHealthy?.() === false) {
      this.deps.logger.warn(
        'lock bus unresponsive: code not evaluated, out of service until the bus answers',
      );
      return this.outOfService();
    }
    try {
      return await work();
    } catch (error) {
      if (!isWriteFailure(error)) throw error;
      this.deps.logger.error({ err: error }, 'database refused a write; out of service until writes work');
      return this.outOfService();
    }
  }

  private outOfService(): ScreenState {
    this.waiting = null;
    this.deps.cue?.('error');
    return this.show('error', { code: 'out_of_service' });
  }

  /** A wrong code is never forgiven by a right one: only time lowers the counts. */
  private failure(counter: GuessCounter, reason: string): ScreenState {
    const { clock, config, store, recorder } = this.deps;
    const verdict = recordFailure(this.lockout(counter), clock.monotonic(), config.lockout);
    store.transaction(() => {
      store.setMeta(lockoutKeys[counter], JSON.stringify(toRecord(verdict.state, this.recordClock())));
      const counts = { counter, failures: verdict.state.failures, inWindow: verdict.inWindow };
      if (verdict.alarm)
        recorder.record('alarm', {
          data: { code: alarmCodes[counter][verdict.alarm], ...counts, delayS: verdict.delayMs / 1000 },
        });
      else recorder.record('code_rejected', { data: counts });
    });
    this.deps.cue?.('error');
    const block = lockoutBlock(verdict.state, clock.monotonic(), config.lockout);
    if (block.kind !== 'open') return this.showBlock(block, reason);
    return this.show('rejected', { reason, lockerId: null });
  }

  private showBlock(block: Exclude<LockoutBlock, { kind: 'open' }>, reason?: string): ScreenState {
    const seconds = Math.ceil(block.remainingMs / 1000);
    return this.show(block.kind, { seconds, ...(reason ? { reason } : {}) });
  }

  /** Persisted with its boot and both clocks: a restart or a stepped clock neither ends nor stretches a wait. */
  private lockout(counter: GuessCounter): LockoutState {
    const saved = this.deps.store.getMeta(lockoutKeys[counter]);
    return fromRecord(saved ? JSON.parse(saved) : null, this.recordClock(), this.deps.config.lockout);
  }

  private recordClock(): RecordClock {
    const { clock } = this.deps;
    return { ...instantOf(clock), bootId: clock.bootId() };
  }

  private toLoad(): ReservationRecord[] {
    return this.deps.store
      .reservations()
      .filter((r) => r.state === 'ready_to_load')
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  }

  private toRetrieve(): number[] {
    const { store, clock } = this.deps;
    return store
      .compartments()
      .filter((c) => c.state === 'occupied' && !this.deps.doors.isOpen(c.number))
      .filter((c) => {
        const r = c.reservationId ? store.reservation(c.reservationId) : undefined;
        return (
          !r ||
          ['expired', 'cancelled', 'returned'].includes(r.state) ||
          Date.parse(r.expiresAt) <= clock.wall()
        );
      })
      .map((c) => c.number);
  }

  private choose(size: ReservationRecord['size'], exclude: Set<number>, atLeast = size): number | undefined {
    const records = new Map(this.deps.store.compartments().map((c) => [c.number, c]));
    const candidates = this.deps.config.compartments.map((c) => ({
      number: c.number,
      size: c.size,
      opens: records.get(c.number)?.opens ?? 0,
      itemPresent: records.get(c.number)?.itemPresent ?? null,
      free: records.get(c.number)?.state === 'free' && !this.deps.doors.isOpen(c.number),
    }));
    return chooseCompartment(candidates, size, exclude, atLeast);
  }

  private sizeOf(number: number): ReservationRecord['size'] {
    return this.deps.config.compartments.find((c) => c.number === number)?.size ?? 'S';
  }

  private position(number: number): { column: number; row: string } {
    const c = this.deps.config.compartments.find((x) => x.number === number);
    return { column: c?.position.column ?? 0, row: c?.position.row ?? 'middle' };
  }

  private showStaff(note: string | null): ScreenState {
    if (!this.staff) return this.show('welcome');
    return this.show('staff', {
      staff: this.staff.display,
      toLoad: this.toLoad().length,
      toRetrieve: this.toRetrieve().length,
      note,
    });
  }

  private show(view: ScreenState['view'], params: ScreenState['params'] = {}): ScreenState {
    this.touch();
    return this.deps.screen.show(view, params);
  }

  /** Back to the start screen after inactivity, unless a door of this visit is still open. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.screenOwner !== null && this.deps.doors.isOpen(this.screenOwner)) return this.touch();
      if (this.staff?.current && this.deps.doors.isOpen(this.staff.current.compartment)) return this.touch();
      this.waiting = null;
      this.staff = null;
      this.screenOwner = null;
      if (this.deps.screen.current.view !== 'welcome') this.deps.screen.show('welcome');
    }, this.deps.config.timing.inactivityMs);
    this.idleTimer.unref();
  }

  private iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }
}

function screenCodeOf(code: string): string {
  if (code === 'UNLOCK_NOT_SENT') return 'try_again';
  return code === 'STORE_WRITE_FAILED' ? 'out_of_service' : 'door_fault';
}
