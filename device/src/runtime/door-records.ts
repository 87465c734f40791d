import type { Actor } from '@locker/protocol';
import type { Logger } from 'pino';
import type { LockBusFault } from '../lockbus/lock-bus.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { Clock } from './clock.ts';
import type { Session } from './door-session.ts';
import type { EventRecorder } from './event-recorder.ts';

/**
 * Writes what the doors do: openings (record, audit line, event), bus faults, and the guards every
 * door writer shares — a write whose failure must not stop its caller, and a write the disk refused
 * kept on its session for the close.
 */
export class DoorRecords {
  constructor(
    private readonly deps: {
      store: DeviceStore;
      recorder: EventRecorder;
      logger: Logger;
      /** Wall clock for stamps only. */
      clock: Clock;
    },
  ) {}

  /** The door of a session is seen open: the pending unlock marked opened, the compartment open, audited, reported. */
  opened(number: number, session: Session, reason: string, data: Record<string, unknown>): void {
    const { store } = this.deps;
    this.writeOrKeep(number, session, () => {
      store.markUnlockOpened(number);
      const current = store.compartment(number);
      store.updateCompartment(
        number,
        { state: 'open', door: 'open', opens: (current?.opens ?? 0) + 1 },
        this.iso(),
      );
      this.audit(number, session.actor, reason, 'opened');
      this.deps.recorder.record('door_opened', {
        compartment: number,
        reservationId: session.reservationId,
        actor: session.actor,
        data: { purpose: session.purpose, ...data },
      });
    });
  }

  busFault(fault: LockBusFault, compartment: number | undefined): void {
    this.deps.store.transaction(() =>
      this.deps.recorder.record(fault.code === 'door_forced' ? 'alarm' : 'fault', {
        ...(compartment === undefined ? {} : { compartment }),
        data: { code: fault.code, board: fault.board, message: fault.message },
      }),
    );
  }

  /** Records what was seen now; if the disk refuses, keeps the record for the session's close. */
  writeOrKeep(number: number, session: Session, write: () => void): void {
    try {
      this.deps.store.transaction(write);
    } catch (error) {
      this.failed(`recording compartment ${number}`, error);
      session.unsaved.push(write);
    }
  }

  /** Runs a write whose failure must not stop the caller (timers, listeners, start-up); says whether it worked. */
  attempt(what: string, work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      this.failed(what, error);
      return false;
    }
  }

  audit(compartment: number, actor: Actor, reason: string, outcome: string): void {
    this.deps.store.audit.append({
      at: this.iso(),
      compartment,
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      reason,
      outcome,
    });
  }

  iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }

  failed(what: string, error: unknown): void {
    this.deps.logger.error(
      { err: error },
      `${what} failed; a refused write is retried at the next tick or change`,
    );
  }
}
