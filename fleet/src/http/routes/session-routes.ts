import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyPassword } from '../../security/password-hash.ts';
import { FleetError } from '../../services/fleet-errors.ts';
import { type AuthStore, sessionHours, setSessionCookie, sha256 } from '../auth.ts';
import type { HashingGate } from '../hashing-gate.ts';
import type { LoginLimiter } from '../login-limiter.ts';
import { describeRoute } from '../route.ts';
import { principalView } from '../schemas.ts';

/** A valid scrypt hash of a random value: what unknown user names are checked against. */
const dummyHash = 'scrypt$65536$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface SessionRouteDeps {
  auth: AuthStore;
  limiter: LoginLimiter;
  limits: { perUser: number; perAddress: number };
  hashing: HashingGate;
  secureCookies: boolean;
}

/**
 * Sign in and out. Logins are rate limited per user name and per address (counted before the
 * password is hashed), and password hashing goes through a bounded gate.
 */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRouteDeps> = async (app, deps) => {
  const { auth } = deps;

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/login',
      summary: 'Sign in: sets the session cookie and answers the CSRF token for changing requests',
      tag: 'auth',
      access: 'public',
      errors: ['LOGIN_FAILED', 'USER_DISABLED', 'LOGIN_RATE_LIMITED', 'LOGIN_BUSY'],
      schema: { body: z.object({ username: z.string(), password: z.string() }) },
      success: z.object({ csrfToken: z.string(), user: principalView.omit({ kind: true }) }),
    }),
    handler: async (request, reply) => {
      const { username, password } = request.body;
      const keys = [
        { key: `user:${username.toLowerCase()}`, max: deps.limits.perUser },
        { key: `ip:${request.ip}`, max: deps.limits.perAddress },
      ];
      // counted now, synchronously: a burst of concurrent attempts cannot all pass the check
      const wait = deps.limiter.take(keys);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new FleetError('LOGIN_RATE_LIMITED', `too many failed logins; try again in ${wait} s`);
      }
      const user = auth.users.byUsername(username);
      // verify even for an unknown user, so that timing does not tell which user names exist
      const ok = await deps.hashing.run(() => verifyPassword(password, user?.passwordHash ?? dummyHash));
      if (user && ok && user.disabled) {
        // only someone who knows the password learns that the account is disabled
        auth.audit.append({
          actor: `user:${user.id}`,
          action: 'login.refused_disabled',
          municipalityId: null,
          target: user.id,
          data: { ip: request.ip },
        });
        throw new FleetError('USER_DISABLED');
      }
      if (!user || !ok) {
        auth.audit.append({
          actor: `login:${username.slice(0, 64)}`,
          action: 'login.failed',
          municipalityId: null,
          target: null,
          data: { ip: request.ip },
        });
        throw new FleetError('LOGIN_FAILED');
      }
      deps.limiter.succeed(keys);
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      auth.users.insertSession(
        sha256(sessionId),
        user.id,
        csrfToken,
        new Date(Date.now() + sessionHours * 3_600_000).toISOString(),
      );
      auth.audit.append({
        actor: `user:${user.id}`,
        action: 'login',
        municipalityId: null,
        target: user.id,
        data: { ip: request.ip },
      });
      setSessionCookie(reply, sessionId, sessionHours * 3600, deps.secureCookies);
      return {
        csrfToken,
        user: { id: user.id, display: user.display, role: user.role, municipalities: user.municipalities },
      };
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/logout',
      summary: 'Sign out: the session ends and its cookie is cleared',
      tag: 'auth',
      access: 'public',
      schema: {},
      success: z.object({ ok: z.literal(true) }),
    }),
    handler: async (request, reply) => {
      if (request.sessionHash) auth.users.deleteSession(request.sessionHash);
      setSessionCookie(reply, '', 0, deps.secureCookies);
      return { ok: true as const };
    },
  });
};
