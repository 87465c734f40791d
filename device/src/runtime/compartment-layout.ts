import type { DeviceConfig } from '../config/device-config.ts';
import { chooseCompartment } from '../flows/compartment-choice.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { ReservationRecord } from '../store/store-types.ts';
import type { DoorKeeper } from './door-keeper.ts';

type SizeClass = ReservationRecord['size'];

/** The cabinet as configured, with what the store and the door keeper say of each compartment now. */
export class CompartmentLayout {
  constructor(
    private readonly deps: {
      compartments: DeviceConfig['compartments'];
      store: DeviceStore;
      doors: DoorKeeper;
    },
  ) {}

  /**
   * A free, closed, empty compartment for an item of `size` (at least `atLeast`). A door with an
   * opening in flight is never free: two visits at once never get the same compartment.
   */
  choose(size: SizeClass, exclude: ReadonlySet<number>, atLeast: SizeClass = size): number | undefined {
    const { store, doors } = this.deps;
    const records = new Map(store.compartments().map((c) => [c.number, c]));
    const candidates = this.deps.compartments.map((c) => ({
      number: c.number,
      size: c.size,
      opens: records.get(c.number)?.opens ?? 0,
      itemPresent: records.get(c.number)?.itemPresent ?? null,
      free: records.get(c.number)?.state === 'free' && !doors.isOpen(c.number),
    }));
    return chooseCompartment(candidates, size, exclude, atLeast);
  }

  sizeOf(number: number): SizeClass {
    return this.config(number)?.size ?? 'S';
  }

  hasItemSensor(number: number): boolean {
    return this.config(number)?.itemSensor ?? false;
  }

  /** Where the door is, for the screen. */
  position(number: number): { column: number; row: string } {
    const c = this.config(number);
    return { column: c?.position.column ?? 0, row: c?.position.row ?? 'middle' };
  }

  private config(number: number) {
    return this.deps.compartments.find((c) => c.number === number);
  }
}
