import { randomUUID } from 'node:crypto';
import type { Command } from '@locker/protocol';
import type { FleetStore } from '../store/fleet-store.ts';

/** How a command reaches a locker; `onAccepted` runs when the broker has it, before the locker's answer. */
export interface CommandSender {
  sendCommand(lockerId: string, command: Command, onAccepted: () => void): Promise<void>;
}

export interface CommandRequest {
  type: Command['type'];
  compartment: number;
  reason: string;
}

/**
 * Remote open, disable and enable: the command row and its audit entry are written only once the
 * broker has accepted the command, so a broker outage (503 `BROKER_UNAVAILABLE`) leaves no row of a
 * command that was never sent.
 */
export class LockerCommands {
  constructor(private readonly deps: { store: FleetStore; sender: CommandSender }) {}

  async send(
    locker: { id: string; municipalityId: string },
    request: CommandRequest,
    by: { actor: string; principalId: string },
  ): Promise<{ requestId: string }> {
    const { store, sender } = this.deps;
    const requestId = randomUUID();
    const command: Command = {
      v: 1,
      requestId,
      type: request.type,
      compartment: request.compartment,
      reason: request.reason,
      by: by.principalId.slice(0, 64),
    };
    await sender.sendCommand(locker.id, command, () =>
      store.transaction(() => {
        store.lockers.insertCommand({
          requestId,
          lockerId: locker.id,
          type: request.type,
          compartment: request.compartment,
          reason: request.reason,
          by: by.actor,
          at: new Date().toISOString(),
        });
        store.audit.append({
          actor: by.actor,
          action: `locker.${request.type}`,
          municipalityId: locker.municipalityId,
          target: `${locker.id}/${request.compartment}`,
          data: { reason: request.reason, requestId },
        });
      }),
    );
    return { requestId };
  }
}
