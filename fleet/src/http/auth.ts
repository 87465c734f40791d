import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FleetError } from '../services/fleet-errors.ts';
import type { AuditRepo } from '../store/audit-repo.ts';
import type { UserRepo } from '../store/user-repo.ts';
import type { Principal } from './principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    sessionHash: string | undefined;
    /** The session's CSRF token (not for API tokens). */
    csrfToken: string | undefined;
  }
}

export const sessionCookie = 'fleet_session';
export const sessionHours = 10;
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An API token as shown once to its creator: `lkt_` + 32 random bytes. */
export function newApiToken(): { token: string; hash: string } {
  const token = `lkt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token) };
}

/** The sessions, tokens and users that authentication reads and writes, and the audit log of logins. */
export interface AuthStore {
  users: Pick<UserRepo, 'tokenByHash' | 'session' | 'get' | 'byUsername' | 'insertSession' | 'deleteSession'>;
  audit: Pick<AuditRepo, 'append'>;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling: a session cookie (HttpOnly, SameSite=Strict, Secure in production) whose
 * unsafe requests must carry the session's CSRF token in `x-csrf-token`, or an API token in
 * `Authorization: Bearer`. Registered on the root instance (needs @fastify/cookie): every route sees it.
 */
export function registerAuth(app: FastifyInstance, store: AuthStore): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('sessionHash', undefined);
  app.decorateRequest('csrfToken', undefined);
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
    const sessionId = request.cookies[sessionCookie];
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
    request.csrfToken = session.csrf;
    request.principal = {
      kind: 'user',
      id: user.id,
      display: user.display,
      role: user.role,
      municipalities: user.municipalities,
    };
  });
}

export function setSessionCookie(reply: FastifyReply, value: string, maxAge: number, secure: boolean): void {
  reply.setCookie(sessionCookie, value, { path: '/', httpOnly: true, sameSite: 'strict', maxAge, secure });
}
