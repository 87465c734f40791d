import type { InstallerPrompt } from './installer-prompt.ts';
import type { RawStatusReader } from './raw-status.ts';

export type PolarityFinding =
  | {
      board: number;
      confirmed: true;
      /** The raw bit a closed door reads on this board. */
      closedBitValue: 0 | 1;
      /** The lock whose bit changed when the installer opened a door by hand. */
      lock: number;
    }
  | {
      board: number;
      confirmed: false;
      reason: string;
      /** Locks whose bit changed while the door was open (none, or more than one). */
      changedLocks: number[];
    };

export interface PolarityCheckOptions {
  reader: RawStatusReader;
  prompt: InstallerPrompt;
  /** Reads in a row that must agree before a state counts as settled (sensor bounce). */
  settledReads: number;
  /** At most this many reads to get there. */
  maxReads: number;
}

/**
 * The installer opens one door of the board by hand (key) and closes it again: exactly one lock
 * bit must change and come back. The bit it reads while closed is the board's `closedBitValue`.
 */
export async function checkPolarity(
  board: number,
  locks: number,
  options: PolarityCheckOptions,
): Promise<PolarityFinding> {
  const { prompt } = options;
  const before = await settledBits(board, locks, options);
  if (!before)
    return unconfirmed(board, 'the board did not give two equal readings before the door was opened');
  await prompt.openOneDoorByHand(board);
  const opened = await settledBits(board, locks, options);
  await prompt.closeDoorOpenedByHand(board);
  const after = await settledBits(board, locks, options);
  if (!opened || !after) return unconfirmed(board, 'the board could not be read while the door was opened');
  const changed = before.flatMap((bit, i) => (bit === opened[i] ? [] : [i + 1]));
  if (changed.length !== 1) {
    const what = changed.length === 0 ? 'no lock bit changed' : `${changed.length} lock bits changed`;
    return unconfirmed(board, `${what} while one door was open by hand`, changed);
  }
  const lock = changed[0]!;
  if (after[lock - 1] !== before[lock - 1]) {
    return unconfirmed(board, `lock ${lock}'s bit did not come back when the door was closed`, changed);
  }
  return { board, confirmed: true, closedBitValue: before[lock - 1] ? 1 : 0, lock };
}

function unconfirmed(board: number, reason: string, changedLocks: number[] = []): PolarityFinding {
  return { board, confirmed: false, reason, changedLocks };
}

/** Reads until `settledReads` readings in a row agree; `undefined` when they never do. */
async function settledBits(
  board: number,
  locks: number,
  { reader, settledReads, maxReads }: PolarityCheckOptions,
): Promise<boolean[] | undefined> {
  let last: string | undefined;
  let agreeing = 0;
  for (let i = 0; i < maxReads; i++) {
    const read = await reader.read(board, locks);
    if (read.kind !== 'bits') {
      agreeing = 0;
      last = undefined;
      continue;
    }
    const key = read.bits.map((bit) => (bit ? '1' : '0')).join('');
    agreeing = key === last ? agreeing + 1 : 1;
    last = key;
    if (agreeing >= settledReads) return read.bits;
  }
  return undefined;
}
