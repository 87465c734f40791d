import type { DoorAction } from '../door-actions.ts';
import type { SimBus } from '../sim-bus.ts';
import type { DoorSnapshot } from '../sim-door.ts';
import type { SimInputName } from '../sim-line-input.ts';
import type { SimulatorSnapshot } from '../simulator-snapshot.ts';

/** What the control API drives of a simulator (the `Simulator` implements it). */
export interface ControlledSimulator {
  readonly simBus: Pick<SimBus, 'setFaults' | 'clearFaults' | 'currentFaults'>;
  snapshot(): SimulatorSnapshot;
  act(board: number, lock: number, action: DoorAction): DoorSnapshot;
  input(name: SimInputName, line: string): Promise<void>;
}
