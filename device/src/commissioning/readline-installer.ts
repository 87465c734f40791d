import { sizeClassSchema } from '@locker/protocol';
import { CommissioningError } from './commissioning-error.ts';
import type { CompartmentAnswer, InstallerPrompt } from './installer-prompt.ts';

const rows = ['top', 'upper', 'middle', 'lower', 'bottom'] as const;

/** A parser for one answer: the value, or a line saying what is expected. */
type Parse<T> = (text: string) => { ok: true; value: T } | { ok: false; expected: string };

/**
 * The installer at a terminal: every question is asked again until its answer parses. Lines are
 * taken from an iterator (readline's, which buffers), so answers typed ahead are not lost.
 */
export class ReadlineInstaller implements InstallerPrompt {
  constructor(
    private readonly lines: AsyncIterator<string>,
    private readonly output: NodeJS.WritableStream,
  ) {}

  locksOnBoard(board: number, max: number): Promise<number> {
    return this.ask(`How many locks are wired on board ${board} (1–${max})? `, wholeNumber(1, max));
  }

  async openOneDoorByHand(board: number): Promise<void> {
    await this.line(
      `Board ${board}: open ONE door of this board with the key and leave it open, then press Enter. `,
    );
  }

  async closeDoorOpenedByHand(): Promise<void> {
    await this.line('Close that door again, then press Enter. ');
  }

  async whichDoorOpened(board: number, lock: number): Promise<CompartmentAnswer | null> {
    const number = await this.ask(
      `Board ${board} lock ${lock} was unlocked. Number on the door that opened (Enter if none opened): `,
      optional(wholeNumber(1, 9999)),
    );
    if (number === null) return null;
    const size = await this.ask('Size class (S/M/L/XL): ', (text) => {
      const parsed = sizeClassSchema.safeParse(text.toUpperCase());
      return parsed.success
        ? { ok: true, value: parsed.data }
        : { ok: false, expected: 'one of S, M, L, XL' };
    });
    const column = await this.ask('Column, counted from the left (1…): ', wholeNumber(1, 99));
    const row = await this.ask(`Row (${rows.join('/')}): `, (text) => {
      const row = rows.find((name) => name === text.toLowerCase());
      return row ? { ok: true, value: row } : { ok: false, expected: `one of ${rows.join(', ')}` };
    });
    const bottom = await this.ask('Floor to the compartment bottom, cm: ', wholeNumber(0, 300));
    const top = await this.ask('Floor to the compartment top, cm: ', wholeNumber(bottom + 1, 300));
    return { number, size, position: { column, row }, heightCm: { bottom, top } };
  }

  async closeDoor(number: number): Promise<void> {
    await this.line(`Close door ${number}, then press Enter. `);
  }

  say(line: string): void {
    this.output.write(`${line}\n`);
  }

  private async line(question: string): Promise<string> {
    this.output.write(question);
    const next = await this.lines.next();
    if (next.done) throw new CommissioningError('INSTALLER_GONE', 'input ended before the last answer');
    return next.value;
  }

  private async ask<T>(question: string, parse: Parse<T>): Promise<T> {
    for (;;) {
      const answer = parse((await this.line(question)).trim());
      if (answer.ok) return answer.value;
      this.say(`  please answer ${answer.expected}`);
    }
  }
}

export function wholeNumber(min: number, max: number): Parse<number> {
  return (text) => {
    const value = Number(text);
    return /^\d+$/.test(text) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, expected: `a whole number from ${min} to ${max}` };
  };
}

function optional<T>(parse: Parse<T>): Parse<T | null> {
  return (text) => (text === '' ? { ok: true, value: null } : parse(text));
}
