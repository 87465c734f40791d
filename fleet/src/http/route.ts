import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FleetError } from '../services/fleet-errors.ts';
import type { Role } from '../store/user-repo.ts';
import { type Principal, requireRole } from './principal.ts';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  /** Who may call it; `public` needs no sign-in. */
  roles: readonly Role[] | 'public';
  body?: B;
  query?: Q;
}

export interface RouteContext<B, Q> {
  request: FastifyRequest;
  reply: FastifyReply;
  principal: Principal;
  body: B;
  query: Q;
  params: Record<string, string>;
}

/** Every route registered through `route()`, for the OpenAPI document. */
export const routeCatalog: RouteSpec<z.ZodType, z.ZodType>[] = [];

/** Registers a route whose body and query are validated with zod and whose caller's role is checked. */
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q>,
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>>) => unknown,
): void {
  if (!routeCatalog.some((r) => r.method === spec.method && r.url === spec.url)) routeCatalog.push(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      const principal =
        spec.roles === 'public'
          ? (request.principal as Principal)
          : requireRole(request.principal, spec.roles);
      const body = spec.body ? parse(spec.body, request.body ?? {}, 'body') : undefined;
      const query = spec.query ? parse(spec.query, request.query ?? {}, 'query') : undefined;
      return handler({
        request,
        reply,
        principal,
        body: body as z.output<B>,
        query: query as z.output<Q>,
        params: request.params as Record<string, string>,
      });
    },
  });
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new FleetError(
    'VALIDATION_FAILED',
    result.error.issues.map((i) => `${where}.${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
  );
}

/** The OpenAPI 3.1 document of every registered route. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routeCatalog) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...spec.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = spec.query ? z.toJSONSchema(spec.query, { io: 'input' }) : undefined;
    const queryParams = query?.properties
      ? Object.entries(query.properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: (query.required ?? []).includes(name),
          schema,
        }))
      : [];
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.roles === 'public' ? { security: [] } : { description: `Roles: ${spec.roles.join(', ')}` }),
      parameters: [...params, ...queryParams],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(spec.body, { io: 'input' }) } },
            },
          }
        : {}),
      responses: {
        '200': { description: 'OK' },
        '400': {
          description: 'VALIDATION_FAILED or another stable error code',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        '401': { description: 'AUTH_REQUIRED' },
        '403': { description: 'ROLE_FORBIDDEN or CSRF_FAILED' },
        '404': { description: 'NOT_FOUND (also for what exists in another municipality)' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: '24/7 service locker — fleet API', version: '1' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'fleet_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
    security: [{ session: [] }, { token: [] }],
    paths,
  };
}
