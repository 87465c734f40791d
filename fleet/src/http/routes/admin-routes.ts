import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Fleet } from '../../fleet.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { route } from '../route.ts';

const roleSchema = z.enum(['desk', 'it', 'admin']);
const municipalitiesSchema = z.array(z.string().min(1)).min(1);
const reasonBody = z
  .object({ reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(200) })
  .strict();

/** Whether every municipality of a user or token is within the caller's own. */
const covers = (principal: Principal, municipalities: string[]) =>
  municipalities.every((m) => (m === '*' ? principal.municipalities.includes('*') : maySee(principal, m)));

/** A caller may hand out only the municipalities it has itself. */
function grantable(principal: Principal, municipalities: string[]): void {
  for (const m of municipalities)
    if (m === '*' ? !principal.municipalities.includes('*') : !maySee(principal, m))
      throw new FleetError('SCOPE_FORBIDDEN', `you cannot grant municipality ${m}`);
}

/** Users, their locker PINs, API tokens, the audit log, and who am I. */
export function adminRoutes(app: FastifyInstance, fleet: Fleet): void {
  /** A user the caller may manage: an admin over all of the user's municipalities (or, if `self`, oneself). */
  const managed = (principal: Principal, id: string, self: 'self-allowed' | 'others-only') => {
    const user = fleet.store.users.get(id);
    const isSelf = principal.kind === 'user' && principal.id === id;
    if (
      !user ||
      (!(isSelf && self === 'self-allowed') &&
        (principal.role !== 'admin' || !covers(principal, user.municipalities)))
    )
      throw notFound(`user ${id}`);
    if (isSelf && self === 'others-only')
      throw new FleetError('USER_IS_SELF', 'you cannot do this to your own account');
    return user;
  };

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
      const user = managed(principal, params.id ?? '', 'self-allowed');
      return { lockers: fleet.staff.setLockerPin(user.id, body.pin, actorName(principal)) };
    },
  );

  route(
    app,
    {
      method: 'DELETE',
      url: '/api/users/:id/locker-pin',
      summary: 'Remove a staff member’s PIN from every locker (pushed to each, audited)',
      tag: 'admin',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal, params }) => {
      const user = managed(principal, params.id ?? '', 'self-allowed');
      return { lockers: fleet.staff.removeLockerPin(user.id, actorName(principal)) };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/users/:id/disable',
      summary:
        'Disable a staff user: sessions end, their tokens stop, their PIN leaves the lockers (audited)',
      tag: 'admin',
      roles: ['admin'],
      body: reasonBody,
    },
    ({ principal, params, body }) => {
      const user = managed(principal, params.id ?? '', 'others-only');
      return fleet.staff.disable(user.id, body.reason, actorName(principal));
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/users/:id/enable',
      summary: 'Enable a disabled staff user again (audited)',
      tag: 'admin',
      roles: ['admin'],
    },
    ({ principal, params }) => {
      const user = managed(principal, params.id ?? '', 'others-only');
      return fleet.staff.enable(user.id, actorName(principal));
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
      return fleet.tokens.create(
        { ...body, ownerUserId: principal.kind === 'user' ? principal.id : null },
        actorName(principal),
      );
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/tokens',
      summary: 'API tokens of the caller’s municipalities (never the token itself)',
      tag: 'admin',
      roles: ['admin'],
    },
    ({ principal }) => fleet.tokens.list().filter((t) => covers(principal, t.municipalities)),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/tokens/:id/revoke',
      summary: 'Revoke an API token: it gets 401 from the next request on (audited)',
      tag: 'admin',
      roles: ['admin'],
      body: reasonBody,
    },
    ({ principal, params, body }) => {
      const token = fleet.store.users.token(params.id ?? '');
      if (!token || !covers(principal, token.municipalities)) throw notFound(`token ${params.id}`);
      return fleet.tokens.revoke(token.id, body.reason, actorName(principal));
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
