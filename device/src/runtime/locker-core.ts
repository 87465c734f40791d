import type { Command, CommandResult, ReservationChange } from '@locker/protocol';
import type { Logger } from 'pino';
import type { DeviceConfig } from '../config/device-config.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { isWriteFailure } from '../store/store-error.ts';
import { CitizenSessions, type CodeSource } from './citizen-sessions.ts';
import type { Clock } from './clock.ts';
import { CompartmentLayout } from './compartment-layout.ts';
import type { DoorKeeper, DoorKeeperEvents } from './door-keeper.ts';
import type { EventRecorder } from './event-recorder.ts';
import { RemoteCommands } from './remote-commands.ts';
import { type ChangeVerdict, ReservationCopy } from './reservation-copy.ts';
import type { Screen, ScreenState } from './screen.ts';
import { type StaffAction, StaffVisits } from './staff-visits.ts';
import { type Cue, VisitScreen } from './visit-screen.ts';
import { WrongCodes } from './wrong-codes.ts';

export type { CodeSource } from './citizen-sessions.ts';
export type { ChangeVerdict } from './reservation-copy.ts';
export type { StaffAction } from './staff-visits.ts';

export interface LockerCoreDeps {
  config: DeviceConfig;
  store: DeviceStore;
  doors: DoorKeeper;
  recorder: EventRecorder;
  screen: Screen;
  codeKey: string;
  logger: Logger;
  /** Wall clock for stamps and validity windows, monotonic clock for lockout delays and the second-factor window. */
  clock: Clock;
  cue?: (kind: Cue) => void;
  /** False while the database refuses writes: codes and staff actions get "out of service". */
  storeWritable?: () => boolean;
  /** False while the lock bus gets no good reply (adapter gone): codes are not evaluated, the screen says "out of service". */
  busHealthy?: () => boolean;
}

/**
 * What happens at the locker, as one object for the inputs, the kiosk and the fleet sync: citizen
 * sessions, staff visits, the local reservation copy and the fleet's commands, each its own class;
 * this one puts them together, follows the door keeper's closes and reminders for them, and keeps
 * codes out while the locker is out of service.
 */
export class LockerCore {
  private readonly visitScreen: VisitScreen;
  private readonly citizens: CitizenSessions;
  private readonly staff: StaffVisits;
  private readonly reservations: ReservationCopy;
  private readonly commands: RemoteCommands;
  private readonly layout: CompartmentLayout;

  constructor(private readonly deps: LockerCoreDeps) {
    const { config, store, doors, recorder, clock } = deps;
    const layout = new CompartmentLayout({ compartments: config.compartments, store, doors });
    this.visitScreen = new VisitScreen({
      screen: deps.screen,
      inactivityMs: config.timing.inactivityMs,
      ...(deps.cue ? { cue: deps.cue } : {}),
    });
    this.staff = new StaffVisits({ store, doors, layout, screen: this.visitScreen, clock });
    this.citizens = new CitizenSessions({
      store,
      doors,
      layout,
      screen: this.visitScreen,
      staff: this.staff,
      wrongCodes: new WrongCodes({ store, recorder, clock, policy: config.lockout }),
      codeKey: deps.codeKey,
      lockerId: config.lockerId,
      logger: deps.logger,
      clock,
    });
    this.reservations = new ReservationCopy({ store, clock });
    this.commands = new RemoteCommands({ store, doors, recorder, clock });
    this.layout = layout;
  }

  private readonly onClosed = ({ compartment, outcome }: DoorKeeperEvents['closed'][0]) => {
    if (!this.staff.closed(compartment, outcome.screen)) this.citizens.closed(compartment, outcome.screen);
  };

  private readonly onReminder = ({ compartment }: DoorKeeperEvents['reminder'][0]) => {
    this.visitScreen.cue('alert');
    if (this.citizens.ownsDoor(compartment) || this.staff.ownsDoor(compartment))
      this.visitScreen.show('door_reminder', { compartment, ...this.layout.position(compartment) });
  };

  start(): void {
    this.visitScreen.join(this.citizens);
    this.visitScreen.join(this.staff);
    this.deps.doors.on('closed', this.onClosed);
    this.deps.doors.on('reminder', this.onReminder);
  }

  stop(): void {
    this.visitScreen.stop();
    this.deps.doors.off('closed', this.onClosed);
    this.deps.doors.off('reminder', this.onReminder);
  }

  get screen(): ScreenState {
    return this.visitScreen.current;
  }

  async enterCode(text: string, source: CodeSource): Promise<ScreenState> {
    return this.whenInService(() => this.citizens.enterCode(text, source));
  }

  async staffAction(action: StaffAction): Promise<ScreenState> {
    return this.whenInService(() => this.staff.act(action));
  }

  /** See {@link RemoteCommands.run}. */
  command(command: Command): Promise<{ result: CommandResult; answer: boolean }> {
    return this.commands.run(command);
  }

  syncVersion(): number {
    return this.reservations.version();
  }

  /** See {@link ReservationCopy.apply}. */
  applyChange(change: ReservationChange): ChangeVerdict {
    return this.reservations.apply(change);
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
    this.citizens.dropSecondFactorWait();
    this.visitScreen.cue('error');
    return this.visitScreen.show('error', { code: 'out_of_service' });
  }
}
