import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { FleetConfig } from './config/fleet-config.ts';
import { Fleet } from './fleet.ts';
import { buildApp } from './http/app.ts';

/** The fleet service and its HTTP side, started together: what `npm run fleet` and the demo run. */
export class FleetServer {
  readonly fleet: Fleet;
  private app: FastifyInstance | undefined;
  httpUrl = '';

  constructor(
    private readonly deps: {
      config: FleetConfig;
      logger: Logger;
      env?: NodeJS.ProcessEnv;
      now?: () => number;
    },
  ) {
    this.fleet = new Fleet(deps);
  }

  async start(): Promise<{ httpUrl: string; brokerUrl: string }> {
    const { config, logger } = this.deps;
    await this.fleet.start();
    const app = buildApp({
      ...this.fleet.httpServices(),
      logger,
      secureCookies: config.mode === 'production',
      trustedProxies: config.http.trustedProxies,
    });
    this.app = app;
    await app.listen({ host: config.http.host, port: config.http.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    this.httpUrl = `http://${config.http.host}:${port}`;
    return { httpUrl: this.httpUrl, brokerUrl: this.fleet.brokerUrl };
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.fleet.stop();
  }
}
