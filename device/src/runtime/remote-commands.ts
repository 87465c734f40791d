import type { Command, CommandResult } from '@locker/protocol';
import type { DeviceStore } from '../store/device-store.ts';
import type { Clock } from './clock.ts';
import type { DoorKeeper } from './door-keeper.ts';
import type { EventRecorder } from './event-recorder.ts';

type Outcome = Omit<CommandResult, 'v' | 'requestId' | 'at'>;
type FleetActor = { kind: 'fleet'; id: string };

/**
 * The fleet's commands (remote open, disable and enable a compartment, re-sync), each carried out
 * once per request id, its result remembered in the store.
 */
export class RemoteCommands {
  /** Commands being carried out, by request id: a duplicate delivery joins its first. */
  private readonly running = new Map<string, Promise<CommandResult>>();

  constructor(
    private readonly deps: {
      store: DeviceStore;
      doors: DoorKeeper;
      recorder: EventRecorder;
      /** Wall clock: the results' and records' stamps. */
      clock: Clock;
    },
  ) {}

  /**
   * A fleet command, applied once per request id: a repeated delivery gets the first result again.
   * One that arrives while the first is still running joins it and is not answered on its own
   * (`answer: false`): the fleet keeps the first answer it gets, so it must be the real result,
   * never a BUSY from the command's own first delivery.
   */
  async run(command: Command): Promise<{ result: CommandResult; answer: boolean }> {
    const running = this.running.get(command.requestId);
    if (running) return { result: await running, answer: false };
    const seen = this.deps.store.commandResult(command.requestId);
    if (seen) return { result: JSON.parse(seen) as CommandResult, answer: true };
    const execution = this.execute(command).finally(() => this.running.delete(command.requestId));
    this.running.set(command.requestId, execution);
    return { result: await execution, answer: true };
  }

  private async execute(command: Command): Promise<CommandResult> {
    const { store } = this.deps;
    const actor: FleetActor = { kind: 'fleet', id: command.by };
    let outcome: Outcome;
    if (command.type === 'open') {
      const opened = await this.deps.doors.open(
        command.compartment,
        'remote',
        null,
        actor,
        `remote: ${command.reason}`,
      );
      outcome = opened.ok ? { ok: true } : { ok: false, code: opened.code, message: opened.message };
    } else if (command.type === 'disable' || command.type === 'enable') {
      outcome = this.setDisabled(command.compartment, command.type === 'disable', command.reason, actor);
    } else {
      outcome = { ok: true, message: 'resync requested' };
    }
    const full: CommandResult = { v: 1, requestId: command.requestId, at: this.iso(), ...outcome };
    store.transaction(() => store.rememberCommand(command.requestId, JSON.stringify(full), this.iso()));
    return full;
  }

  private setDisabled(number: number, disable: boolean, reason: string, actor: FleetActor): Outcome {
    const { store, recorder } = this.deps;
    const record = store.compartment(number);
    if (!record)
      return { ok: false, code: 'UNKNOWN_COMPARTMENT', message: `compartment ${number} is not configured` };
    store.transaction(() => {
      const state = disable ? 'disabled' : record.reservationId ? 'occupied' : 'free';
      store.updateCompartment(
        number,
        { state, disabledReason: disable ? reason : null, fault: disable ? record.fault : null },
        this.iso(),
      );
      store.audit.append({
        at: this.iso(),
        compartment: number,
        actorKind: actor.kind,
        actorId: actor.id,
        reason: `${disable ? 'disable' : 'enable'}: ${reason}`,
        outcome: state,
      });
      recorder.record('compartment_state', { compartment: number, actor, data: { state, reason } });
    });
    return { ok: true };
  }

  private iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }
}
