import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { type ErrorCode, errorCodes } from '../services/fleet-errors.ts';
import type { Role } from '../store/user-repo.ts';
import { type Principal, requireRole } from './principal.ts';

/** Who may call a route; `public` needs no sign-in. */
export type Access = readonly Role[] | 'public';

/** The error body of one status, listing the codes a route answers with it. */
function errorBody(codes: readonly [ErrorCode, ...ErrorCode[]]) {
  return z
    .object({ error: z.object({ code: z.enum(codes), message: z.string() }) })
    .describe(codes.map((code) => `${code}: ${errorCodes[code].message}`).join('; '));
}

/** The error responses of a route: its codes grouped by status. */
function errorResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, [ErrorCode, ...ErrorCode[]]>();
  for (const code of new Set(codes)) {
    const status = errorCodes[code].status;
    const list = byStatus.get(status);
    if (list) list.push(code);
    else byStatus.set(status, [code]);
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, errorBody(list)]));
}

interface RouteDoc<S, R, M> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: Access;
  /** Error codes the route's own logic answers with (sign-in, role, CSRF and validation codes are added). */
  errors?: readonly ErrorCode[];
  /** The zod schemas of the request (body, querystring, params) and the success body. */
  schema: S;
  success: R;
  /** Other statuses answered with a body of their own (e.g. /healthz's 503). */
  more?: M;
}

/**
 * Method, URL, the fastify `schema` (documented by @fastify/swagger through the zod type provider)
 * and the role check (`onRequest`, before the body is read) of one route: `app.route({ ...describeRoute(…), handler })`.
 */
export function describeRoute<
  S extends { body?: z.ZodType; querystring?: z.ZodType; params?: z.ZodType },
  R extends z.ZodType,
  M extends Record<number, z.ZodType> = Record<never, never>,
>(doc: RouteDoc<S, R, M>) {
  const { body, querystring, params } = doc.schema;
  const codes: ErrorCode[] = [...(doc.errors ?? [])];
  codes.push('TOKEN_INVALID');
  if (doc.access !== 'public') codes.push('AUTH_REQUIRED', 'ROLE_FORBIDDEN');
  if (doc.method !== 'GET') codes.push('CSRF_FAILED');
  if (body || querystring || params) codes.push('VALIDATION_FAILED');
  if (body) codes.push('BAD_REQUEST', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  const access = doc.access;
  const onRequest: onRequestHookHandler = async (request) => {
    if (access !== 'public') requireRole(request.principal, access);
  };
  return {
    method: doc.method,
    url: doc.url,
    onRequest,
    schema: {
      summary: doc.summary,
      tags: [doc.tag],
      ...(access === 'public' ? { security: [] } : { description: `Roles: ${access.join(', ')}` }),
      ...doc.schema,
      // the error bodies are documented; the reply type is the success body's
      response: { ...errorResponses(codes), ...doc.more, 200: doc.success } as { 200: R } & M,
    },
  };
}

/** The caller of a route whose `onRequest` checked the role. */
export function principalOf(request: FastifyRequest): Principal {
  return requireRole(request.principal, ['desk', 'it', 'admin']);
}
