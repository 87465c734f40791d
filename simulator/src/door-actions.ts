import { z } from 'zod';
import type { SimDoor } from './sim-door.ts';

/** What a person, or a fault, can do to one door. */
export const doorActionSchema = z.enum([
  'close',
  'hold',
  'release',
  'key',
  'force',
  'jam',
  'unjam',
  'put-item',
  'take-item',
  'stick-open',
  'stick-closed',
  'unstick',
  'bounce',
  'unbounce',
]);

export type DoorAction = z.infer<typeof doorActionSchema>;

export function applyDoorAction(door: SimDoor, action: DoorAction): void {
  const actions: Record<DoorAction, () => void> = {
    close: () => door.close(),
    hold: () => door.hold(),
    release: () => door.release(),
    key: () => door.forceOpen(),
    force: () => door.forceOpen(),
    jam: () => door.setJammed(true),
    unjam: () => door.setJammed(false),
    'put-item': () => door.setItem(true),
    'take-item': () => door.setItem(false),
    'stick-open': () => door.setSensorStuck('open'),
    'stick-closed': () => door.setSensorStuck('closed'),
    unstick: () => door.setSensorStuck(null),
    bounce: () => door.setBouncing(true),
    unbounce: () => door.setBouncing(false),
  };
  actions[action]();
}
