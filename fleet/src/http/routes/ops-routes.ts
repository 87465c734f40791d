import { openEventStream } from '@locker/node-kit';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { isLoopback } from '../../config/loopback.ts';
import type { LiveUpdate } from '../../services/change-publisher.ts';
import { FleetError } from '../../services/fleet-errors.ts';
import type { LockerDesk } from '../../services/locker-desk.ts';
import { inlineHash } from '../inline-hash.ts';
import { esc } from '../pages/html.ts';
import { maySee } from '../principal.ts';
import { describeRoute, principalOf } from '../route.ts';

const docsStyle =
  'body{font:16px/1.5 system-ui,sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;border-bottom:1px solid #ccc}';
/** /docs is static text with one inline style: nothing runs, loads or frames it. */
export const docsCsp = `default-src 'none'; style-src ${inlineHash(docsStyle)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * /metrics tells an outsider how many lockers are online and what is failing: it answers an IT or
 * admin session or API token (Prometheus: `authorization: Bearer lkt_…`), or a scraper on this
 * machine that connects directly (loopback, not forwarded by the reverse proxy).
 */
function mayReadMetrics(request: FastifyRequest): boolean {
  const role = request.principal?.role;
  if (role === 'it' || role === 'admin') return true;
  const forwarded =
    request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && isLoopback(request.socket.remoteAddress ?? '');
}

export interface OpsRouteDeps {
  health: { brokerConnected: () => boolean; auditIntact: () => boolean | null };
  metrics: Registry;
  live: { onLive: (listener: (update: LiveUpdate) => void) => () => void };
  lockers: Pick<LockerDesk, 'find'>;
}

interface DocOperation {
  summary?: string;
  description?: string;
}

/** Health, metrics, the API description, and live updates for dashboards (SSE). */
export const opsRoutes: FastifyPluginAsyncZod<OpsRouteDeps> = async (app, deps) => {
  const healthBody = z.object({
    ok: z.boolean(),
    broker: z.enum(['connected', 'disconnected']),
    auditIntact: z
      .boolean()
      .nullable()
      .describe('the audit chain verifies; not part of ok (run verify-audit)'),
  });
  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/healthz',
      summary: 'Health: 200 when the fleet is connected to the broker, 503 when not',
      tag: 'ops',
      access: 'public',
      schema: {},
      success: healthBody,
      more: { 503: healthBody },
    }),
    handler: async (_request, reply) => {
      const connected = deps.health.brokerConnected();
      reply.code(connected ? 200 : 503);
      // not part of `ok`: a restart does not mend a rewritten audit table; IT reads the flag and runs verify-audit
      return {
        ok: connected,
        broker: connected ? ('connected' as const) : ('disconnected' as const),
        auditIntact: deps.health.auditIntact(),
      };
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (IT or admin session or token, or a scraper on this machine)',
      tag: 'ops',
      access: 'public',
      errors: ['METRICS_FORBIDDEN'],
      schema: {},
      success: z.string().describe('Prometheus text format'),
    }),
    handler: async (request, reply) => {
      if (!mayReadMetrics(request))
        throw new FleetError(
          'METRICS_FORBIDDEN',
          'metrics are for IT: send an IT or admin API token as a bearer token, or scrape on this machine',
        );
      reply.type(deps.metrics.contentType);
      return deps.metrics.metrics();
    },
  });

  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    const paths = app.swagger().paths as Record<string, Record<string, DocOperation>>;
    const rows = Object.entries(paths)
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(
          ([method, op]) =>
            `<tr><td><code>${esc(method.toUpperCase())}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary)}</td><td>${esc(op.description ?? 'public')}</td></tr>`,
        ),
      )
      .join('');
    reply.type('text/html; charset=utf-8');
    reply.header('content-security-policy', docsCsp);
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fleet API</title><style>${docsStyle}</style></head><body><main><h1>Fleet API</h1><p>OpenAPI 3.1: <a href="/docs/openapi.json">/docs/openapi.json</a>. Errors are <code>{"error":{"code","message"}}</code> with stable codes.</p><table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Who</th></tr></thead><tbody>${rows}</tbody></table></main></body></html>`;
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/live',
      summary: 'Live updates of the caller’s lockers and reservations (text/event-stream)',
      tag: 'ops',
      access: ['desk', 'it', 'admin'],
      schema: {},
      success: z.string().describe('server-sent events, one JSON update per `data:` line'),
    }),
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const stream = openEventStream(reply);
      stream.onClose(
        deps.live.onLive((update) => {
          const locker = deps.lockers.find(update.lockerId);
          if (locker && maySee(principal, locker.municipalityId)) stream.send(update);
        }),
      );
    },
  });
};
