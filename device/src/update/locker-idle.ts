import type { ScreenView } from '../runtime/screen.ts';

export interface IdleInputs {
  view: ScreenView;
  /** When the screen last changed (wall ms). */
  screenChangedAt: number;
  openDoors: number;
  now: number;
}

/**
 * The locker decides when it may restart for an update: no citizen session (the welcome page,
 * unchanged for `quietMs` (updates.idleQuietMs): a visit ends on it only after its inactivity timeout) and no door open.
 */
export function isLockerIdle(inputs: IdleInputs, quietMs: number): boolean {
  return (
    inputs.view === 'welcome' && inputs.openDoors === 0 && inputs.now - inputs.screenChangedAt >= quietMs
  );
}
