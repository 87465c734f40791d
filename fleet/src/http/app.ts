import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Fleet } from '../fleet.ts';
import { FleetError } from '../services/fleet-errors.ts';
import { registerAuth } from './auth.ts';
import { HashingGate } from './hashing-gate.ts';
import { defaultLoginLimits, LoginLimiter, type LoginLimits } from './login-limiter.ts';
import { pageRoutes } from './pages/page-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { lockerRoutes } from './routes/locker-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { releaseRoutes } from './routes/release-routes.ts';
import { reservationRoutes } from './routes/reservation-routes.ts';

export interface AppDeps {
  fleet: Fleet;
  logger: Logger;
  secureCookies: boolean;
  /** Login attempts per user name and per address in the window, and concurrent hashing. */
  loginLimits?: Partial<LoginLimits>;
  /**
   * Addresses (or CIDR ranges) of the reverse proxies whose `X-Forwarded-For` names the client:
   * the per-address login limit then counts the citizen's or staff member's own address.
   */
  trustedProxies?: string[];
}

/** The fleet's HTTP side: REST API, pages, health, metrics, docs. `listen()` is the caller's. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: deps.trustedProxies?.length ? deps.trustedProxies : false,
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof FleetError) {
      if (error.status >= 500 || error.status === 429) request.log.warn({ code: error.code }, error.message);
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string };
    if (statusCode && statusCode < 500)
      return reply
        .code(statusCode)
        .send({ error: { code: code ?? 'BAD_REQUEST', message: message ?? 'bad request' } });
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: { code: 'INTERNAL', message: 'something went wrong on our side; it is logged' } });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });
  const limits = { ...defaultLoginLimits, ...deps.loginLimits };
  const hashing = new HashingGate({ concurrent: limits.concurrentHashes, queued: limits.queuedHashes });
  registerAuth(app, {
    store: deps.fleet.store,
    limiter: new LoginLimiter(limits.windowMs),
    limits,
    hashing,
    secureCookies: deps.secureCookies,
  });
  reservationRoutes(app, deps.fleet);
  lockerRoutes(app, deps.fleet);
  adminRoutes(app, deps.fleet);
  opsRoutes(app, deps.fleet, hashing);
  releaseRoutes(app, deps.fleet);
  pageRoutes(app);
  return app;
}
