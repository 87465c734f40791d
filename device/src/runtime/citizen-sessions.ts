import type { Logger } from 'pino';
import { decideCode, type SecondFactorWait } from '../flows/code-decision.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { type Clock, instantOf } from './clock.ts';
import { guessCounter, resolveCode } from './code-resolver.ts';
import type { CompartmentLayout } from './compartment-layout.ts';
import type { DoorKeeper } from './door-keeper.ts';
import type { ScreenState } from './screen.ts';
import type { StaffVisits } from './staff-visits.ts';
import { screenCodeOf, type VisitParty, type VisitScreen } from './visit-screen.ts';
import type { ClosedBlock, WrongCodes } from './wrong-codes.ts';

export type CodeSource = 'keypad' | 'scanner' | 'screen';

/**
 * A citizen at the locker: a code in (keypad, scanner, screen), the decision of the pure flow,
 * the second factor awaited, the door opened for a pickup or a return, and what the screen says
 * until it closes. A staff code starts a staff visit.
 */
export class CitizenSessions implements VisitParty {
  private waiting: SecondFactorWait | null = null;
  /** The compartment whose opening the screen is following, until its door closes. */
  private screenOwner: number | null = null;

  constructor(
    private readonly deps: {
      store: DeviceStore;
      doors: DoorKeeper;
      layout: CompartmentLayout;
      screen: VisitScreen;
      staff: StaffVisits;
      wrongCodes: WrongCodes;
      codeKey: string;
      lockerId: string;
      logger: Logger;
      /** Wall clock for validity windows, monotonic clock for the second-factor window. */
      clock: Clock;
    },
  ) {}

  async enterCode(text: string, source: CodeSource): Promise<ScreenState> {
    const { store, clock, screen, wrongCodes } = this.deps;
    // a code that could be guessed is not evaluated while its counter blocks it; a QR code always is
    const counter = guessCounter(text);
    const block = counter ? wrongCodes.blocked(counter) : null;
    if (block) return this.showBlock(block);
    const match = resolveCode(store, this.deps.codeKey, this.deps.lockerId, text);
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
      if (decision.countsAsFailure && counter) {
        const after = wrongCodes.count(counter);
        screen.cue('error');
        if (after) return this.showBlock(after, decision.reason);
        return screen.show('rejected', { reason: decision.reason, lockerId: null });
      }
      screen.cue('error');
      return screen.show('rejected', { reason: decision.reason, lockerId: decision.lockerId ?? null });
    }
    switch (decision.action) {
      case 'second_factor':
        this.waiting = decision.wait;
        return screen.show('second_factor', { need: decision.wait.have === 'pin' ? 'qr' : 'pin' });
      case 'staff':
        this.waiting = null;
        return this.deps.staff.begin(decision.staffId);
      case 'open_pickup':
        this.waiting = null;
        return this.open(decision.compartment, 'pickup', decision.reservationId);
      case 'open_return': {
        this.waiting = null;
        const reservation = store.reservation(decision.reservationId);
        const number = reservation && this.deps.layout.choose(reservation.size, new Set());
        if (!number) return screen.show('error', { code: 'no_free_compartment' });
        return this.open(number, 'return', decision.reservationId);
      }
    }
  }

  /** The door the screen follows closed: says what came of it. Whether it was this session's door. */
  closed(compartment: number, outcome: string): boolean {
    if (this.screenOwner !== compartment) return false;
    this.screenOwner = null;
    this.deps.screen.show(outcome === 'item_left' ? 'item_left' : 'done', { compartment, outcome });
    return true;
  }

  ownsDoor(compartment: number): boolean {
    return this.screenOwner === compartment;
  }

  holdsOpenDoor(): boolean {
    return this.screenOwner !== null && this.deps.doors.isOpen(this.screenOwner);
  }

  /** Inactivity, or the locker went out of service: a half-given two-factor code is dropped. */
  forget(): void {
    this.waiting = null;
    this.screenOwner = null;
  }

  /** Out of service: the first factor given is not kept for a code typed after it. */
  dropSecondFactorWait(): void {
    this.waiting = null;
  }

  private async open(
    number: number,
    purpose: 'pickup' | 'return',
    reservationId: string,
  ): Promise<ScreenState> {
    const { screen, layout } = this.deps;
    screen.show('opening', { compartment: number, ...layout.position(number) });
    const result = await this.deps.doors.open(
      number,
      purpose,
      reservationId,
      { kind: 'citizen', id: reservationId },
      purpose,
    );
    if (!result.ok) {
      screen.cue('error');
      return screen.show('error', { code: screenCodeOf(result.code), compartment: number });
    }
    screen.cue('ok');
    this.screenOwner = number;
    return screen.show('door_open', {
      compartment: number,
      purpose,
      itemSensor: layout.hasItemSensor(number),
      ...layout.position(number),
    });
  }

  private showBlock(block: ClosedBlock, reason?: string): ScreenState {
    const seconds = Math.ceil(block.remainingMs / 1000);
    return this.deps.screen.show(block.kind, { seconds, ...(reason ? { reason } : {}) });
  }
}
