import type { SimBus } from './sim-bus.ts';
import type { DoorSnapshot } from './sim-door.ts';

/** What the simulator holds now: every door of every board, the bus faults and the bus counters. */
export interface SimulatorSnapshot {
  protocol: string;
  boards: { address: number; doors: (DoorSnapshot & { lock: number; sensedClosed: boolean })[] }[];
  faults: ReturnType<SimBus['currentFaults']>;
  counters: SimBus['counters'];
}
