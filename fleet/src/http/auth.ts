import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyPassword } from '../security/password-hash.ts';
import { FleetError } from '../services/fleet-errors.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { HashingGate } from './hashing-gate.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { Principal } from './principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    sessionHash: string | undefined;
  }
}

export const sessionCookie = 'fleet_session';
const sessionHours = 10;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An API token as shown once to its creator: `lkt_` + 32 random bytes. */
export function newApiToken(): { token: string; hash: string } {
  const token = `lkt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token) };
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling: a session cookie (HttpOnly, SameSite=Strict, Secure in production) whose
 * unsafe requests must carry the session's CSRF token in `x-csrf-token`, or an API token in
 * `Authorization: Bearer`. Logins are rate limited per user name and per address (counted before
 * the password is hashed), and password hashing goes through a bounded gate.
 */
export function registerAuth(
  app: FastifyInstance,
  deps: {
    store: FleetStore;
    limiter: LoginLimiter;
    limits: { perUser: number; perAddress: number };
    hashing: HashingGate;
    secureCookies: boolean;
  },
): void {
  const { store } = deps;
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionHash', undefined);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      const token = store.users.tokenByHash(sha256(bearer));
      if (!token || token.revoked || token.ownerDisabled)
        throw new FleetError('TOKEN_INVALID', 'the API token is unknown or revoked');
      request.principal = {
        kind: 'token',
        id: token.id,
        display: token.name,
        role: token.role,
        municipalities: token.municipalities,
      };
      return;
    }
    const sessionId = cookieValue(request, sessionCookie);
    if (!sessionId) return;
    const idHash = sha256(sessionId);
    const session = store.users.session(idHash, new Date().toISOString());
    const user = session ? store.users.get(session.userId) : undefined;
    if (!session || !user || user.disabled) return;
    if (!safeMethods.has(request.method)) {
      const sent = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
      const expected = Buffer.from(session.csrf);
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected))
        throw new FleetError('CSRF_FAILED', 'missing or wrong x-csrf-token header; reload the page');
    }
    request.sessionHash = idHash;
    request.principal = {
      kind: 'user',
      id: user.id,
      display: user.display,
      role: user.role,
      municipalities: user.municipalities,
    };
  });

  app.post('/api/login', async (request, reply) => {
    const body = (request.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof body.username !== 'string' || typeof body.password !== 'string')
      throw new FleetError('VALIDATION_FAILED', 'body.username and body.password are required strings');
    const keys = [
      { key: `user:${body.username.toLowerCase()}`, max: deps.limits.perUser },
      { key: `ip:${request.ip}`, max: deps.limits.perAddress },
    ];
    // counted now, synchronously: a burst of concurrent attempts cannot all pass the check
    const wait = deps.limiter.take(keys);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new FleetError('LOGIN_RATE_LIMITED', `too many failed logins; try again in ${wait} s`);
    }
    const user = store.users.byUsername(body.username);
    // verify even for an unknown user, so that timing does not tell which user names exist
    const password = body.password;
    const ok = await deps.hashing.run(() => verifyPassword(password, user?.passwordHash ?? dummyHash));
    if (user && ok && user.disabled) {
      // only someone who knows the password learns that the account is disabled
      store.audit.append({
        actor: `user:${user.id}`,
        action: 'login.refused_disabled',
        municipalityId: null,
        target: user.id,
        data: { ip: request.ip },
      });
      throw new FleetError('USER_DISABLED', 'this account is disabled; ask an administrator');
    }
    if (!user || !ok) {
      store.audit.append({
        actor: `login:${body.username.slice(0, 64)}`,
        action: 'login.failed',
        municipalityId: null,
        target: null,
        data: { ip: request.ip },
      });
      throw new FleetError('LOGIN_FAILED', 'wrong user name or password');
    }
    deps.limiter.succeed(keys);
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    store.users.insertSession(
      sha256(sessionId),
      user.id,
      csrfToken,
      new Date(Date.now() + sessionHours * 3_600_000).toISOString(),
    );
    store.audit.append({
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
  });

  app.post('/api/logout', async (request, reply) => {
    if (request.sessionHash) store.users.deleteSession(request.sessionHash);
    setSessionCookie(reply, '', 0, deps.secureCookies);
    return { ok: true };
  });
}

function setSessionCookie(reply: FastifyReply, value: string, maxAge: number, secure: boolean): void {
  reply.header(
    'set-cookie',
    `${sessionCookie}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`,
  );
}

/** A valid scrypt hash of a random value: what unknown user names are checked against. */
const dummyHash = 'scrypt$65536$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
