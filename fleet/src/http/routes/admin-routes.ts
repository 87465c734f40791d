import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminDesk } from '../../services/admin-desk.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import type { StaffService } from '../../services/staff-service.ts';
import type { TokenService } from '../../services/token-service.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { describeRoute, principalOf } from '../route.ts';
import {
  auditView,
  idParams,
  municipalityView,
  principalView,
  roleSchema,
  tokenView,
  userView,
} from '../schemas.ts';

const municipalitiesSchema = z.array(z.string().min(1)).min(1);
const reasonBody = z
  .object({ reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(200) })
  .strict();
const lockerCount = z.object({ lockers: z.number().int().describe('lockers the change was sent to') });

/** Whether every municipality of a user or token is within the caller's own. */
const covers = (principal: Principal, municipalities: string[]) =>
  municipalities.every((m) => (m === '*' ? principal.municipalities.includes('*') : maySee(principal, m)));

/** A caller may hand out only the municipalities it has itself. */
function grantable(principal: Principal, municipalities: string[]): void {
  for (const m of municipalities)
    if (m === '*' ? !principal.municipalities.includes('*') : !maySee(principal, m))
      throw new FleetError('SCOPE_FORBIDDEN', `you cannot grant municipality ${m}`);
}

export interface AdminRouteDeps {
  admin: Pick<AdminDesk, 'user' | 'token' | 'municipalities' | 'municipality' | 'audit'>;
  staff: Pick<StaffService, 'create' | 'setLockerPin' | 'removeLockerPin' | 'disable' | 'enable'>;
  tokens: Pick<TokenService, 'create' | 'list' | 'revoke'>;
}

/** Users, their locker PINs, API tokens, the audit log, and who am I. */
export const adminRoutes: FastifyPluginAsyncZod<AdminRouteDeps> = async (app, deps) => {
  const { admin, staff, tokens } = deps;
  /** A user the caller may manage: an admin over all of the user's municipalities (or, if `self`, oneself). */
  const managed = (principal: Principal, id: string, self: 'self-allowed' | 'others-only') => {
    const user = admin.user(id);
    const isSelf = principal.kind === 'user' && principal.id === id;
    if (
      !user ||
      (!(isSelf && self === 'self-allowed') &&
        (principal.role !== 'admin' || !covers(principal, user.municipalities)))
    )
      throw notFound(`user ${id}`);
    if (isSelf && self === 'others-only') throw new FleetError('USER_IS_SELF');
    return user;
  };

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/me',
      summary: 'The signed-in user (and the session’s CSRF token)',
      tag: 'auth',
      access: ['desk', 'it', 'admin'],
      schema: {},
      success: principalView.extend({
        csrfToken: z.string().optional().describe('absent for API tokens'),
        municipalityNames: z.array(municipalityView),
      }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      return {
        ...principal,
        ...(request.csrfToken ? { csrfToken: request.csrfToken } : {}),
        municipalityNames: admin.municipalities().filter((m) => maySee(principal, m.id)),
      };
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/users',
      summary: 'Create a staff user',
      tag: 'admin',
      access: ['admin'],
      errors: ['SCOPE_FORBIDDEN', 'NOT_FOUND', 'USERNAME_TAKEN', 'PASSWORD_TOO_SHORT'],
      schema: {
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
      success: userView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      grantable(principal, request.body.municipalities);
      const { passwordHash: _h, ...user } = await staff.create(request.body, actorName(principal));
      return user;
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/users/:id/locker-pin',
      summary: 'Set the PIN a staff member types at the lockers',
      tag: 'admin',
      access: ['desk', 'it', 'admin'],
      errors: ['NOT_FOUND', 'STAFF_PIN_INVALID'],
      schema: { params: idParams, body: z.object({ pin: z.string() }).strict() },
      success: lockerCount,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const user = managed(principal, request.params.id, 'self-allowed');
      return { lockers: staff.setLockerPin(user.id, request.body.pin, actorName(principal)) };
    },
  });

  app.route({
    ...describeRoute({
      method: 'DELETE',
      url: '/api/users/:id/locker-pin',
      summary: 'Remove a staff member’s PIN from every locker (pushed to each, audited)',
      tag: 'admin',
      access: ['desk', 'it', 'admin'],
      errors: ['NOT_FOUND'],
      schema: { params: idParams },
      success: lockerCount,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const user = managed(principal, request.params.id, 'self-allowed');
      return { lockers: staff.removeLockerPin(user.id, actorName(principal)) };
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/users/:id/disable',
      summary:
        'Disable a staff user: sessions end, their tokens stop, their PIN leaves the lockers (audited)',
      tag: 'admin',
      access: ['admin'],
      errors: ['NOT_FOUND', 'USER_IS_SELF', 'USER_ALREADY_DISABLED'],
      schema: { params: idParams, body: reasonBody },
      success: lockerCount.extend({ sessionsEnded: z.number().int() }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const user = managed(principal, request.params.id, 'others-only');
      return staff.disable(user.id, request.body.reason, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/users/:id/enable',
      summary: 'Enable a disabled staff user again (audited)',
      tag: 'admin',
      access: ['admin'],
      errors: ['NOT_FOUND', 'USER_IS_SELF', 'USER_NOT_DISABLED'],
      schema: { params: idParams },
      success: lockerCount,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const user = managed(principal, request.params.id, 'others-only');
      return staff.enable(user.id, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/tokens',
      summary: 'Create an API token for an integration (shown once)',
      tag: 'admin',
      access: ['admin'],
      errors: ['SCOPE_FORBIDDEN'],
      schema: {
        body: z
          .object({ name: z.string().min(3).max(80), role: roleSchema, municipalities: municipalitiesSchema })
          .strict(),
      },
      success: z.object({ id: z.string(), token: z.string().describe('lkt_…, shown only now') }),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      grantable(principal, request.body.municipalities);
      return tokens.create(
        { ...request.body, ownerUserId: principal.kind === 'user' ? principal.id : null },
        actorName(principal),
      );
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/tokens',
      summary: 'API tokens of the caller’s municipalities (never the token itself)',
      tag: 'admin',
      access: ['admin'],
      schema: {},
      success: z.array(tokenView),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      return tokens.list().filter((t) => covers(principal, t.municipalities));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/tokens/:id/revoke',
      summary: 'Revoke an API token: it gets 401 from the next request on (audited)',
      tag: 'admin',
      access: ['admin'],
      errors: ['NOT_FOUND', 'TOKEN_ALREADY_REVOKED'],
      schema: { params: idParams, body: reasonBody },
      success: tokenView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const token = admin.token(request.params.id);
      if (!token || !covers(principal, token.municipalities)) throw notFound(`token ${request.params.id}`);
      return tokens.revoke(token.id, request.body.reason, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/audit',
      summary: 'The audit log of the caller’s municipalities (newest first)',
      tag: 'admin',
      access: ['it', 'admin'],
      schema: {
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict(),
      },
      success: z.array(auditView),
    }),
    handler: async (request) =>
      admin.audit({ municipalities: scopeOf(principalOf(request)), limit: request.query.limit }),
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/municipalities/:id',
      summary: 'One municipality',
      tag: 'admin',
      access: ['desk', 'it', 'admin'],
      errors: ['NOT_FOUND'],
      schema: { params: idParams },
      success: municipalityView,
    }),
    handler: async (request) => {
      const m = admin.municipality(request.params.id);
      if (!m || !maySee(principalOf(request), m.id)) throw notFound(`municipality ${request.params.id}`);
      return m;
    },
  });
};
