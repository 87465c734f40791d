import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Fleet } from '../../fleet.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import { newApiToken } from '../auth.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { route } from '../route.ts';

const roleSchema = z.enum(['desk', 'it', 'admin']);
const municipalitiesSchema = z.array(z.string().min(1)).min(1);

/** A caller may hand out only the municipalities it has itself. */
function grantable(principal: Principal, municipalities: string[]): void {
  for (const m of municipalities)
    if (m === '*' ? !principal.municipalities.includes('*') : !maySee(principal, m))
      throw new FleetError('SCOPE_FORBIDDEN', `you cannot grant municipality ${m}`, 403);
}

/** Users, their locker PINs, API tokens, the audit log, and who am I. */
export function adminRoutes(app: FastifyInstance, fleet: Fleet): void {
  route(
    app,
    {
      method: 'GET',
      url: '/api/me',
      summary: 'The signed-in user (and the session’s CSRF token)',
      tag: 'auth',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal, request }) => ({
      ...principal,
      csrfToken: request.sessionHash
        ? fleet.store.users.session(request.sessionHash, new Date().toISOString())?.csrf
        : undefined,
      municipalityNames: fleet.store.directory.municipalities().filter((m) => maySee(principal, m.id)),
    }),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/users',
      summary: 'Create a staff user',
      tag: 'admin',
      roles: ['admin'],
      body: z
        .object({
          username: z.string().regex(/^[a-z0-9._-]{3,40}$/),
          display: z.string().min(1).max(80),
          password: z.string().min(12).max(200),
          role: roleSchema,
          municipalities: municipalitiesSchema,
        })
        .strict(),
    },
    async ({ principal, body }) => {
      grantable(principal, body.municipalities);
      const { passwordHash: _h, ...user } = await fleet.staff.create(body, actorName(principal));
      return user;
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/users/:id/locker-pin',
      summary: 'Set the PIN a staff member types at the lockers',
      tag: 'admin',
      roles: ['desk', 'it', 'admin'],
      body: z.object({ pin: z.string() }).strict(),
    },
    ({ principal, params, body }) => {
      const user = fleet.store.users.get(params.id ?? '');
      const self = principal.kind === 'user' && principal.id === params.id;
      if (
        !user ||
        (!self && (principal.role !== 'admin' || !user.municipalities.every((m) => maySee(principal, m))))
      )
        throw notFound(`user ${params.id}`);
      return { lockers: fleet.staff.setLockerPin(user.id, body.pin, actorName(principal)) };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/tokens',
      summary: 'Create an API token for an integration (shown once)',
      tag: 'admin',
      roles: ['admin'],
      body: z
        .object({ name: z.string().min(3).max(80), role: roleSchema, municipalities: municipalitiesSchema })
        .strict(),
    },
    ({ principal, body }) => {
      grantable(principal, body.municipalities);
      const { token, hash } = newApiToken();
      const id = randomUUID();
      fleet.store.transaction(() => {
        fleet.store.users.insertToken({
          id,
          tokenHash: hash,
          name: body.name,
          role: body.role,
          municipalities: body.municipalities,
          createdAt: new Date().toISOString(),
        });
        fleet.store.audit.append({
          actor: actorName(principal),
          action: 'token.create',
          municipalityId: body.municipalities[0] ?? null,
          target: id,
          data: { name: body.name, role: body.role },
        });
      });
      return { id, token };
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/audit',
      summary: 'The audit log of the caller’s municipalities (newest first)',
      tag: 'admin',
      roles: ['it', 'admin'],
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict(),
    },
    ({ principal, query }) =>
      fleet.store.audit.list({ municipalities: scopeOf(principal), limit: query.limit }),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/municipalities/:id',
      summary: 'One municipality',
      tag: 'admin',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal, params }) => {
      const m = fleet.store.directory.municipality(params.id ?? '');
      if (!m || !maySee(principal, m.id)) throw notFound(`municipality ${params.id}`);
      return m;
    },
  );
}
