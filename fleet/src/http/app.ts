import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifySerializerCompiler,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { type AuthStore, registerAuth } from './auth.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { HashingGate } from './hashing-gate.ts';
import { defaultLoginLimits, LoginLimiter, type LoginLimits } from './login-limiter.ts';
import { type MetricSource, metricsRegistry } from './metrics.ts';
import { pageRoutes } from './pages/page-routes.ts';
import { type AdminRouteDeps, adminRoutes } from './routes/admin-routes.ts';
import { type LockerRouteDeps, lockerRoutes } from './routes/locker-routes.ts';
import { type OpsRouteDeps, opsRoutes } from './routes/ops-routes.ts';
import { type ReleaseRouteDeps, releaseRoutes } from './routes/release-routes.ts';
import { type ReservationRouteDeps, reservationRoutes } from './routes/reservation-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';

/** The services the HTTP side uses, each through the narrow interface its routes need. */
export interface AppServices
  extends ReservationRouteDeps,
    Omit<LockerRouteDeps, 'lockers'>,
    AdminRouteDeps,
    ReleaseRouteDeps,
    Omit<OpsRouteDeps, 'metrics' | 'lockers'> {
  lockers: LockerRouteDeps['lockers'] & OpsRouteDeps['lockers'] & ReservationRouteDeps['lockers'];
  auth: AuthStore;
  /** What `/metrics` exposes besides the login counters. */
  metrics: readonly MetricSource[];
}

export interface AppDeps extends AppServices {
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

/** Success bodies are checked and stripped by their zod schema; error bodies come from the error handler. */
const replySerializer: FastifySerializerCompiler<Parameters<typeof serializerCompiler>[0]['schema']> = (
  route,
) => (String(route.httpStatus).startsWith('2') ? serializerCompiler(route) : (data) => JSON.stringify(data));

/** The fleet's HTTP side: REST API, pages, health, metrics, docs. `listen()` is the caller's. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: deps.trustedProxies?.length ? deps.trustedProxies : false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(replySerializer);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // the API's answers run and frame nothing; each page, /docs and the pickup letter set their own policy
  void app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: deps.secureCookies,
  });
  void app.register(fastifyCookie);
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: '24/7 service locker — fleet API', version: '1' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'fleet_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  const limits = { ...defaultLoginLimits, ...deps.loginLimits };
  const hashing = new HashingGate({ concurrent: limits.concurrentHashes, queued: limits.queuedHashes });
  void app.after(() => registerAuth(app, deps.auth));
  void app.register(sessionRoutes, {
    auth: deps.auth,
    limiter: new LoginLimiter(limits.windowMs),
    limits,
    hashing,
    secureCookies: deps.secureCookies,
  });
  void app.register(reservationRoutes, { reservations: deps.reservations, lockers: deps.lockers });
  void app.register(lockerRoutes, {
    lockers: deps.lockers,
    registry: deps.registry,
    commands: deps.commands,
  });
  void app.register(adminRoutes, { admin: deps.admin, staff: deps.staff, tokens: deps.tokens });
  void app.register(opsRoutes, {
    health: deps.health,
    live: deps.live,
    lockers: deps.lockers,
    metrics: metricsRegistry([
      ...deps.metrics,
      {
        name: 'fleet_login_password_checks_total',
        type: 'counter',
        help: 'Staff passwords hashed at login',
        value: () => hashing.evaluated,
      },
      {
        name: 'fleet_login_busy_total',
        type: 'counter',
        help: 'Logins refused because too many were being hashed',
        value: () => hashing.refused,
      },
    ]),
  });
  void app.register(releaseRoutes, { releases: deps.releases, rollouts: deps.rollouts });
  void app.register(pageRoutes);
  return app;
}
