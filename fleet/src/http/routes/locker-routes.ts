import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../services/fleet-errors.ts';
import type { LockerCommands } from '../../services/locker-commands.ts';
import type { LockerDesk } from '../../services/locker-desk.ts';
import type { LockerRegistry } from '../../services/locker-registry.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { describeRoute, principalOf } from '../route.ts';
import { idParams, lockerView, ok } from '../schemas.ts';

const reason = z.string().trim().min(3, 'a reason of at least 3 characters is required').max(200);
const commandBody = z
  .object({ type: z.enum(['open', 'disable', 'enable']), compartment: z.number().int().positive(), reason })
  .strict();

export interface LockerRouteDeps {
  lockers: Pick<LockerDesk, 'find' | 'list' | 'view' | 'command' | 'alarm' | 'acknowledgeAlarm'>;
  registry: Pick<LockerRegistry, 'provision' | 'rotate' | 'decommission'>;
  commands: Pick<LockerCommands, 'send'>;
}

/** IT work: every locker of the caller's municipalities, remote open and disable, alarms, provisioning. */
export const lockerRoutes: FastifyPluginAsyncZod<LockerRouteDeps> = async (app, deps) => {
  const { lockers, registry, commands } = deps;
  const owned = (principal: Principal, id: string) => {
    const locker = lockers.find(id);
    if (!locker || !maySee(principal, locker.municipalityId)) throw notFound(`locker ${id}`);
    return locker;
  };

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/lockers',
      summary: 'Lockers with state, telemetry, compartments and open alarms',
      tag: 'lockers',
      access: ['desk', 'it', 'admin'],
      schema: {},
      success: z.array(lockerView),
    }),
    handler: async (request) => lockers.list(scopeOf(principalOf(request))),
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/lockers/:id',
      summary: 'One locker',
      tag: 'lockers',
      access: ['desk', 'it', 'admin'],
      errors: ['NOT_FOUND'],
      schema: { params: idParams },
      success: lockerView,
    }),
    handler: async (request) => lockers.view(owned(principalOf(request), request.params.id)),
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/lockers',
      summary: 'Provision a locker; its MQTT password and code key are shown once',
      tag: 'lockers',
      access: ['admin'],
      errors: ['NOT_FOUND', 'LOCKER_ID_INVALID', 'LOCKER_EXISTS'],
      schema: {
        body: z
          .object({
            id: z.string(),
            municipalityId: z.string(),
            siteId: z.string().nullable().default(null),
            name: z.string().min(1).max(80),
          })
          .strict(),
      },
      success: z.object({
        lockerId: z.string(),
        mqtt: z.object({ username: z.string(), password: z.string() }),
        codeKey: z.string(),
      }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const { body } = request;
      if (!maySee(principal, body.municipalityId)) throw notFound(`municipality ${body.municipalityId}`);
      return registry.provision(body, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/lockers/:id/rotate-credentials',
      summary: 'New MQTT password (the old one stops working, the live session is closed)',
      tag: 'lockers',
      access: ['it', 'admin'],
      errors: ['NOT_FOUND', 'LOCKER_DECOMMISSIONED'],
      schema: { params: idParams },
      success: z.object({ username: z.string(), password: z.string() }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      return registry.rotate(owned(principal, request.params.id).id, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/lockers/:id/decommission',
      summary:
        'Take a locker out of service: logins refused, session closed, history kept (reason required, audited)',
      tag: 'lockers',
      access: ['it', 'admin'],
      errors: ['NOT_FOUND', 'LOCKER_DECOMMISSIONED'],
      schema: { params: idParams, body: z.object({ reason }).strict() },
      success: z.object({ decommissionedAt: z.string() }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const locker = owned(principal, request.params.id);
      return registry.decommission(locker.id, request.body.reason, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/lockers/:id/commands',
      summary:
        'Remote open, disable or enable a compartment (reason required, audited); 503 when it cannot reach the broker',
      tag: 'lockers',
      access: ['it', 'admin'],
      errors: ['NOT_FOUND', 'BROKER_UNAVAILABLE'],
      schema: { params: idParams, body: commandBody },
      success: z.object({ requestId: z.string() }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      return commands.send(owned(principal, request.params.id), request.body, {
        actor: actorName(principal),
        principalId: principal.id,
      });
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/commands/:requestId',
      summary: 'The locker’s answer to a command',
      tag: 'lockers',
      access: ['it', 'admin'],
      errors: ['NOT_FOUND'],
      schema: { params: z.object({ requestId: z.string() }) },
      success: z.object({ answered: z.boolean(), ok: z.boolean(), code: z.string().nullable() }),
    }),
    handler: async (request) => {
      const { requestId } = request.params;
      const command = lockers.command(requestId);
      if (!command) throw notFound(`command ${requestId}`);
      owned(principalOf(request), command.lockerId);
      return { answered: command.ok !== null, ok: command.ok === 1, code: command.resultCode };
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/alarms/:id/acknowledge',
      summary: 'Acknowledge a fault or alarm',
      tag: 'lockers',
      access: ['it', 'admin'],
      errors: ['NOT_FOUND', 'ALARM_ALREADY_ACKNOWLEDGED'],
      schema: { params: idParams },
      success: ok,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const alarm = lockers.alarm(request.params.id);
      if (!alarm) throw notFound(`alarm ${request.params.id}`);
      const locker = owned(principal, alarm.lockerId);
      lockers.acknowledgeAlarm(alarm, locker.municipalityId, actorName(principal));
      return { ok: true as const };
    },
  });
};
