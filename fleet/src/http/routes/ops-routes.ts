import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopback } from '../../config/loopback.ts';
import type { Fleet } from '../../fleet.ts';
import type { LiveUpdate } from '../../services/change-publisher.ts';
import { FleetError } from '../../services/fleet-errors.ts';
import type { HashingGate } from '../hashing-gate.ts';
import { inlineHash } from '../inline-hash.ts';
import { esc } from '../pages/html.ts';
import { maySee, requireRole } from '../principal.ts';
import { openApiDocument } from '../route.ts';

const heartbeatMs = 15_000;
const docsStyle =
  'body{font:16px/1.5 system-ui,sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;border-bottom:1px solid #ccc}';
/** /docs is static text with one inline style: nothing runs, loads or frames it. */
const docsCsp = `default-src 'none'; style-src ${inlineHash(docsStyle)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

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

/** Prometheus text format, one gauge or counter per line. */
function metricsText(fleet: Fleet, hashing: HashingGate): string {
  const lockers = fleet.store.lockers.list('all');
  const lines: [string, 'gauge' | 'counter', string, number][] = [
    ['fleet_lockers', 'gauge', 'Provisioned lockers', lockers.length],
    [
      'fleet_lockers_online',
      'gauge',
      'Lockers whose presence is online',
      lockers.filter((l) => l.online).length,
    ],
    ['fleet_reservations', 'gauge', 'Reservations in the store', fleet.store.reservations.count()],
    [
      'fleet_audit_intact',
      'gauge',
      'The fleet audit chain verifies (1) or not (0)',
      fleet.auditChain.verdict?.intact === false ? 0 : 1,
    ],
    [
      'fleet_locker_audit_forks_total',
      'counter',
      'Locker audit heads that did not extend the last one',
      fleet.auditHeads.counters.forks,
    ],
    ['fleet_events_applied_total', 'counter', 'Locker events applied', fleet.link.counters.eventsApplied],
    [
      'fleet_events_duplicate_total',
      'counter',
      'Locker events redelivered and ignored',
      fleet.link.counters.eventsDuplicate,
    ],
    [
      'fleet_mqtt_rejected_messages_total',
      'counter',
      'Invalid MQTT messages from lockers',
      fleet.link.counters.rejectedMessages,
    ],
    ['fleet_changes_sent_total', 'counter', 'Reservation changes published', fleet.link.counters.changesSent],
    [
      'fleet_notifications_sent_total',
      'counter',
      'Messages sent to citizens',
      fleet.notifications.counters.sent,
    ],
    [
      'fleet_notifications_failed_attempts_total',
      'counter',
      'Failed message attempts',
      fleet.notifications.counters.failedAttempts,
    ],
    [
      'fleet_notifications_given_up_total',
      'counter',
      'Messages given up after retries',
      fleet.notifications.counters.givenUp,
    ],
    ['fleet_login_password_checks_total', 'counter', 'Staff passwords hashed at login', hashing.evaluated],
    [
      'fleet_login_busy_total',
      'counter',
      'Logins refused because too many were being hashed',
      hashing.refused,
    ],
  ];
  if (fleet.broker) {
    const c = fleet.broker.counters;
    lines.push(
      ['fleet_broker_connections_total', 'counter', 'Accepted MQTT logins', c.connections],
      ['fleet_broker_open_sockets', 'gauge', 'MQTT sockets open now (TCP and TLS)', fleet.broker.openSockets],
      [
        'fleet_broker_refused_connections_total',
        'counter',
        'MQTT sockets closed at accept: total or per-address limit reached',
        c.refusedConnections,
      ],
      [
        'fleet_broker_oversized_packets_total',
        'counter',
        'MQTT sockets closed for a packet over the size limit',
        c.oversizedPackets,
      ],
      ['fleet_broker_refused_logins_total', 'counter', 'Refused MQTT logins', c.refusedLogins],
      [
        'fleet_broker_refused_publishes_total',
        'counter',
        'Publishes refused by the topic ACL',
        c.refusedPublishes,
      ],
      [
        'fleet_broker_refused_subscribes_total',
        'counter',
        'Subscriptions refused by the topic ACL',
        c.refusedSubscribes,
      ],
    );
  }
  return `${lines.map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`).join('\n')}\n`;
}

/** Health, metrics, the API description, and live updates for dashboards (SSE). */
export function opsRoutes(app: FastifyInstance, fleet: Fleet, hashing: HashingGate): void {
  app.get('/healthz', async (_request, reply) => {
    const ok = fleet.link.connected;
    reply.code(ok ? 200 : 503);
    // not part of `ok`: a restart does not mend a rewritten audit table; IT reads the flag and runs verify-audit
    return {
      ok,
      broker: fleet.link.connected ? 'connected' : 'disconnected',
      auditIntact: fleet.auditChain.verdict?.intact ?? null,
    };
  });

  app.get('/metrics', async (request, reply) => {
    if (!mayReadMetrics(request))
      throw new FleetError(
        'METRICS_FORBIDDEN',
        'metrics are for IT: send an IT or admin API token as a bearer token, or scrape on this machine',
      );
    reply.type('text/plain; version=0.0.4');
    return metricsText(fleet, hashing);
  });

  app.get('/docs/openapi.json', async () => openApiDocument());

  app.get('/docs', async (_request, reply) => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { summary: string; description?: string }>>;
    };
    const rows = Object.entries(doc.paths)
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

  app.get('/api/live', async (request, reply) => {
    const principal = requireRole(request.principal, ['desk', 'it', 'admin']);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(': live\n\n');
    const send = (update: LiveUpdate) => {
      const locker = fleet.store.lockers.get(update.lockerId);
      if (locker && maySee(principal, locker.municipalityId))
        res.write(`data: ${JSON.stringify(update)}\n\n`);
    };
    const unsubscribe = fleet.onLive(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
