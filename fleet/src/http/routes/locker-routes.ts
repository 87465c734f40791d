import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Fleet } from '../../fleet.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import type { LockerRecord } from '../../store/locker-repo.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { route } from '../route.ts';

/** What the dashboard shows of a locker: never its credential hash or code key. */
export function lockerView(fleet: Fleet, locker: LockerRecord) {
  const { mqttHash: _m, codeKeyBox: _c, ...rest } = locker;
  return {
    ...rest,
    /** The newest reservation change for this locker; equal to appliedVersion when it is in sync. */
    latestVersion: fleet.store.lockers.latestVersion(locker.id),
    compartments: fleet.store.lockers.compartments(locker.id),
    alarms: fleet.store.lockers.openAlarms([locker.id]),
  };
}

const commandBody = z
  .object({
    type: z.enum(['open', 'disable', 'enable']),
    compartment: z.number().int().positive(),
    reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(200),
  })
  .strict();

/** IT work: every locker of the caller's municipalities, remote open and disable, alarms, provisioning. */
export function lockerRoutes(app: FastifyInstance, fleet: Fleet): void {
  const owned = (principal: Principal, id: string) => {
    const locker = fleet.store.lockers.get(id);
    if (!locker || !maySee(principal, locker.municipalityId)) throw notFound(`locker ${id}`);
    return locker;
  };

  route(
    app,
    {
      method: 'GET',
      url: '/api/lockers',
      summary: 'Lockers with state, telemetry, compartments and open alarms',
      tag: 'lockers',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal }) => fleet.store.lockers.list(scopeOf(principal)).map((l) => lockerView(fleet, l)),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/lockers/:id',
      summary: 'One locker',
      tag: 'lockers',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal, params }) => lockerView(fleet, owned(principal, params.id ?? '')),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/lockers',
      summary: 'Provision a locker; its MQTT password and code key are shown once',
      tag: 'lockers',
      roles: ['admin'],
      body: z
        .object({
          id: z.string(),
          municipalityId: z.string(),
          siteId: z.string().nullable().default(null),
          name: z.string().min(1).max(80),
        })
        .strict(),
    },
    ({ principal, body }) => {
      if (!maySee(principal, body.municipalityId)) throw notFound(`municipality ${body.municipalityId}`);
      return fleet.registry.provision(body, actorName(principal));
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/lockers/:id/rotate-credentials',
      summary: 'New MQTT password (the old one stops working, the live session is closed)',
      tag: 'lockers',
      roles: ['it', 'admin'],
    },
    ({ principal, params }) =>
      fleet.registry.rotate(owned(principal, params.id ?? '').id, actorName(principal)),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/lockers/:id/decommission',
      summary:
        'Take a locker out of service: logins refused, session closed, history kept (reason required, audited)',
      tag: 'lockers',
      roles: ['it', 'admin'],
      body: z
        .object({
          reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(200),
        })
        .strict(),
    },
    ({ principal, params, body }) =>
      fleet.registry.decommission(owned(principal, params.id ?? '').id, body.reason, actorName(principal)),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/lockers/:id/commands',
      summary: 'Remote open, disable or enable a compartment (reason required, audited)',
      tag: 'lockers',
      roles: ['it', 'admin'],
      body: commandBody,
    },
    ({ principal, params, body }) =>
      fleet.commands.send(owned(principal, params.id ?? ''), body, {
        actor: actorName(principal),
        principalId: principal.id,
      }),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/commands/:requestId',
      summary: 'The locker’s answer to a command',
      tag: 'lockers',
      roles: ['it', 'admin'],
    },
    ({ principal, params }) => {
      const command = fleet.store.lockers.command(params.requestId ?? '');
      if (!command) throw notFound(`command ${params.requestId}`);
      owned(principal, command.lockerId);
      return { answered: command.ok !== null, ok: command.ok === 1, code: command.resultCode };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/alarms/:id/acknowledge',
      summary: 'Acknowledge a fault or alarm',
      tag: 'lockers',
      roles: ['it', 'admin'],
    },
    ({ principal, params }) => {
      const alarm = fleet.store.lockers.alarm(params.id ?? '');
      if (!alarm) throw notFound(`alarm ${params.id}`);
      const locker = owned(principal, alarm.lockerId);
      if (!fleet.store.lockers.acknowledgeAlarm(alarm.id, actorName(principal), new Date().toISOString()))
        throw new FleetError('ALARM_ALREADY_ACKNOWLEDGED', 'this alarm was already acknowledged');
      fleet.store.audit.append({
        actor: actorName(principal),
        action: 'alarm.acknowledge',
        municipalityId: locker.municipalityId,
        target: alarm.id,
        data: { code: alarm.code },
      });
      return { ok: true };
    },
  );
}
