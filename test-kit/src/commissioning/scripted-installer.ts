import type { CompartmentAnswer, InstallerPrompt } from '@locker/device';
import type { Simulator } from '@locker/simulator';

/** What the installer does when asked to open a door by hand: one door (right), none, or two. */
export type HandOpening = 'one' | 'none' | 'two';

export interface ScriptedInstallerOptions {
  simulator: Simulator;
  /** The labels on the cabinet: what the installer reads off the door at board/lock. */
  label(board: number, lock: number): CompartmentAnswer;
  handOpening?: HandOpening;
}

/**
 * An installer who answers truthfully from the simulated cabinet: "which door opened" is the door
 * the simulator has physically open (whatever its sensor says), read off its label.
 */
export class ScriptedInstaller implements InstallerPrompt {
  readonly said: string[] = [];
  private openedByHand: { board: number; lock: number }[] = [];

  constructor(private readonly options: ScriptedInstallerOptions) {}

  async locksOnBoard(board: number): Promise<number> {
    const found = this.options.simulator.snapshot().boards.find((b) => b.address === board);
    return found?.doors.length ?? 0;
  }

  async openOneDoorByHand(board: number): Promise<void> {
    const count = { one: 1, none: 0, two: 2 }[this.options.handOpening ?? 'one'];
    this.openedByHand = Array.from({ length: count }, (_, i) => ({ board, lock: i + 1 }));
    for (const door of this.openedByHand) this.options.simulator.act(door.board, door.lock, 'key');
  }

  async closeDoorOpenedByHand(): Promise<void> {
    for (const door of this.openedByHand) this.options.simulator.act(door.board, door.lock, 'close');
    this.openedByHand = [];
  }

  async whichDoorOpened(): Promise<CompartmentAnswer | null> {
    const open = this.openDoors();
    if (open.length > 1) throw new Error(`scripted installer: ${open.length} doors open at once`);
    const door = open[0];
    return door ? this.options.label(door.board, door.lock) : null;
  }

  async closeDoor(number: number): Promise<void> {
    const door = this.openDoors().find((d) => this.options.label(d.board, d.lock).number === number);
    if (door) this.options.simulator.act(door.board, door.lock, 'close');
  }

  say(line: string): void {
    this.said.push(line);
  }

  private openDoors(): { board: number; lock: number }[] {
    return this.options.simulator
      .snapshot()
      .boards.flatMap((board) =>
        board.doors.filter((door) => door.open).map((door) => ({ board: board.address, lock: door.lock })),
      );
  }
}
