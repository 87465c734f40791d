import type { SizeClass } from '@locker/protocol';
import type { CompartmentConfig } from '../config/device-config.ts';

/** What the installer reads off the cabinet for the door that just opened. */
export interface CompartmentAnswer {
  /** The number printed on the cabinet door. */
  number: number;
  size: SizeClass;
  position: CompartmentConfig['position'];
  /** Floor to the compartment's bottom and top. */
  heightCm: { bottom: number; top: number };
}

/**
 * The installer's side of commissioning. Each call resolves when the installer has done what it
 * asks (or answered); a readline prompt on a TTY in real use, a scripted installer in tests.
 */
export interface InstallerPrompt {
  /** How many locks are wired on this board (at most `max`). */
  locksOnBoard(board: number, max: number): Promise<number>;
  /** Open any one door of this board by hand with the key and leave it open. */
  openOneDoorByHand(board: number): Promise<void>;
  /** Close the door opened by hand. */
  closeDoorOpenedByHand(board: number): Promise<void>;
  /** A lock was unlocked: which door opened? `null` when none did. */
  whichDoorOpened(board: number, lock: number): Promise<CompartmentAnswer | null>;
  /** Close the door of compartment `number`. */
  closeDoor(number: number): Promise<void>;
  /** Progress and findings for the installer to read. */
  say(line: string): void;
}
