import { nextSize } from '../flows/compartment-choice.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { ReservationRecord } from '../store/store-types.ts';
import type { Clock } from './clock.ts';
import type { CompartmentLayout } from './compartment-layout.ts';
import type { DoorKeeper, OpenResult } from './door-keeper.ts';
import type { ScreenState } from './screen.ts';
import { screenCodeOf, type VisitParty, type VisitScreen } from './visit-screen.ts';

export type StaffAction = 'load_next' | 'bigger' | 'retrieve_next' | 'end';

interface StaffVisit {
  staffId: string;
  display: string;
  /** The compartment opened last in this visit, until its door closes. */
  current: { compartment: number; reservationId: string } | null;
}

/**
 * A staff member at the locker after logging in with a staff code: loads the reservations that
 * wait for it one by one (a bigger compartment on request) and retrieves expired, cancelled and
 * returned items.
 */
export class StaffVisits implements VisitParty {
  private visit: StaffVisit | null = null;

  constructor(
    private readonly deps: {
      store: DeviceStore;
      doors: DoorKeeper;
      layout: CompartmentLayout;
      screen: VisitScreen;
      /** Wall clock: which items are past their expiry. */
      clock: Clock;
    },
  ) {}

  /** A staff code was accepted: the visit starts on the staff screen. */
  begin(staffId: string): ScreenState {
    const staff = this.deps.store.db.prepare('SELECT id, display FROM staff WHERE id = ?').get(staffId) as {
      id: string;
      display: string;
    };
    this.visit = { staffId: staff.id, display: staff.display, current: null };
    return this.showStaff(null);
  }

  async act(action: StaffAction): Promise<ScreenState> {
    const visit = this.visit;
    const { screen } = this.deps;
    if (!visit) return screen.show('error', { code: 'staff_login_needed' });
    screen.touch();
    switch (action) {
      case 'end':
        this.visit = null;
        return screen.show('welcome');
      case 'load_next':
      case 'bigger':
        return this.load(visit, action === 'bigger');
      case 'retrieve_next':
        return this.retrieve(visit);
    }
  }

  /** The door of this visit's compartment closed: says what came of it. Whether it was this visit's door. */
  closed(compartment: number, outcome: string): boolean {
    if (this.visit?.current?.compartment !== compartment) return false;
    this.visit.current = null;
    this.showStaff(outcome);
    return true;
  }

  ownsDoor(compartment: number): boolean {
    return this.visit?.current?.compartment === compartment;
  }

  holdsOpenDoor(): boolean {
    return this.visit?.current ? this.deps.doors.isOpen(this.visit.current.compartment) : false;
  }

  forget(): void {
    this.visit = null;
  }

  private async load(visit: StaffVisit, bigger: boolean): Promise<ScreenState> {
    const { store, layout, doors, screen } = this.deps;
    const replacing = bigger ? visit.current : null;
    const reservation = replacing
      ? store.reservation(replacing.reservationId)
      : this.toLoad().find((r) => !doors.isOpen(r.compartment ?? -1));
    if (!reservation) return this.showStaff('nothing_to_load');
    const exclude = new Set(visit.current ? [visit.current.compartment] : []);
    const atLeast = replacing ? nextSize(layout.sizeOf(replacing.compartment)) : reservation.size;
    const number = atLeast && layout.choose(reservation.size, exclude, atLeast);
    if (!number) return this.showStaff('no_free_compartment');
    store.transaction(() => store.setReservationState(reservation.id, reservation.state, number, this.iso()));
    visit.current = { compartment: number, reservationId: reservation.id };
    screen.show('opening', { compartment: number, ...layout.position(number), staff: true });
    const result = await doors.open(
      number,
      'load',
      reservation.id,
      this.actor(visit),
      `load ${reservation.label}`,
    );
    return this.afterOpen(result, reservation.label);
  }

  private async retrieve(visit: StaffVisit): Promise<ScreenState> {
    const { store, layout, doors, screen } = this.deps;
    const number = this.toRetrieve()[0];
    if (number === undefined) return this.showStaff('nothing_to_retrieve');
    const reservationId = store.compartment(number)?.reservationId ?? null;
    visit.current = { compartment: number, reservationId: reservationId ?? '' };
    screen.show('opening', { compartment: number, ...layout.position(number), staff: true });
    const result = await doors.open(number, 'retrieve', reservationId, this.actor(visit), 'retrieve');
    return this.afterOpen(result, null);
  }

  private afterOpen(result: OpenResult, label: string | null): ScreenState {
    const { screen, layout } = this.deps;
    if (!result.ok) {
      if (this.visit) this.visit.current = null;
      screen.cue('error');
      return this.showStaff(screenCodeOf(result.code));
    }
    screen.cue('ok');
    return screen.show('door_open', {
      compartment: result.compartment,
      staff: true,
      label,
      ...layout.position(result.compartment),
    });
  }

  private actor(visit: StaffVisit) {
    return { kind: 'staff' as const, id: visit.staffId };
  }

  private toLoad(): ReservationRecord[] {
    return this.deps.store
      .reservations()
      .filter((r) => r.state === 'ready_to_load')
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  }

  private toRetrieve(): number[] {
    const { store, clock, doors } = this.deps;
    return store
      .compartments()
      .filter((c) => c.state === 'occupied' && !doors.isOpen(c.number))
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

  private showStaff(note: string | null): ScreenState {
    if (!this.visit) return this.deps.screen.show('welcome');
    return this.deps.screen.show('staff', {
      staff: this.visit.display,
      toLoad: this.toLoad().length,
      toRetrieve: this.toRetrieve().length,
      note,
    });
  }

  private iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }
}
