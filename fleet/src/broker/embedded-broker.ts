import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { BrokerLimits } from './broker-limits.ts';
import { ConnectionLimiter } from './connection-limiter.ts';
import { guardedStream } from './guarded-stream.ts';
import { MqttLengthScanner } from './mqtt-length-scanner.ts';
import { type MqttIdentity, mayPublish, maySubscribe } from './topic-acl.ts';

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) the login check answers with. */
const connackCodes = { serverUnavailable: 3, badUserNameOrPassword: 4 } as const;

/** Decides who a connection is: a locker by its id and secret, or the fleet's service identity. */
export type Authenticator = (
  username: string,
  password: string,
  clientId: string,
) => MqttIdentity | undefined;

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** TLS listener; on `host` unless it names its own (production: plain on loopback, TLS on the network). */
  tls?: { host?: string; port: number; certFile: string; keyFile: string };
  authenticate: Authenticator;
  /**
   * Whether a logged-in identity still holds (checked at each publish): false once its credential
   * was rotated or its locker decommissioned by another process (the CLI), which cannot reach this
   * broker's sessions; the publish is refused and the session closed.
   */
  isCurrent?: (identity: MqttIdentity) => boolean;
  limits: BrokerLimits;
  logger: Logger;
}

export interface BrokerCounters {
  connections: number;
  refusedLogins: number;
  refusedPublishes: number;
  refusedSubscribes: number;
  /** Sockets closed at accept: over the total or the per-address limit. */
  refusedConnections: number;
  /** Sockets closed because a packet declared more than its client may send. */
  oversizedPackets: number;
}

/**
 * aedes on TCP (and TLS when a certificate is configured) with per-connection identities: every
 * login, publish and subscribe is checked against the topic ACL; what is refused is logged and counted.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly identities = new WeakMap<Client, MqttIdentity>();
  /** Registered sessions by client id (aedes keeps its own map out of its typed API). */
  private readonly sessions = new Map<string, Client>();
  readonly counters: BrokerCounters = {
    connections: 0,
    refusedLogins: 0,
    refusedPublishes: 0,
    refusedSubscribes: 0,
    refusedConnections: 0,
    oversizedPackets: 0,
  };
  /** Each connection's scanner, by the stream aedes reads: its limit is raised at login. */
  private readonly scanners = new WeakMap<object, MqttLengthScanner>();
  private connectionLimiter: ConnectionLimiter | undefined;
  port = 0;
  tlsPort: number | undefined;
  /** Lockers are refused until the fleet listens, so no event is published to nobody after a restart. */
  private lockersAdmitted = false;

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  /** Lets lockers in; call once the fleet's own subscriptions are acknowledged. */
  admitLockers(): void {
    this.lockersAdmitted = true;
  }

  /** Sockets open now (TCP and TLS). */
  get openSockets(): number {
    return this.connectionLimiter?.open ?? 0;
  }

  /**
   * Closes the live session of `clientId` at once (its will is published); false when it is not
   * connected. Used when a locker's credentials are rotated or the locker is decommissioned.
   */
  disconnect(clientId: string): boolean {
    const client = this.sessions.get(clientId);
    if (!client) return false;
    this.options.logger.info({ clientId }, 'MQTT session closed by the fleet: credentials revoked');
    client.close();
    return true;
  }

  get url(): string {
    return `mqtt://${this.options.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const { logger, limits } = this.options;
    const connections = new ConnectionLimiter(limits);
    this.connectionLimiter = connections;
    const aedes = await Aedes.createBroker({
      connectTimeout: limits.connectTimeoutMs,
      authenticate: (client, username, password, done) => {
        const identity = this.options.authenticate(
          username ?? '',
          password?.toString('utf8') ?? '',
          client.id,
        );
        if (!identity) {
          this.counters.refusedLogins++;
          logger.warn(
            { clientId: client.id, username },
            'MQTT login refused: unknown user, wrong secret or client id',
          );
          const error: AuthenticateError = Object.assign(new Error('bad user name or password'), {
            returnCode: connackCodes.badUserNameOrPassword,
          });
          return done(error, false);
        }
        if (identity.kind === 'locker' && !this.lockersAdmitted) {
          logger.info({ clientId: client.id }, 'locker asked to retry: the fleet is not subscribed yet');
          // 3 = server unavailable: the locker keeps its events and reconnects a second later
          const error: AuthenticateError = Object.assign(new Error('the fleet is starting'), {
            returnCode: connackCodes.serverUnavailable,
          });
          return done(error, false);
        }
        this.identities.set(client, identity);
        const scanner = this.scanners.get(client.conn);
        if (scanner)
          scanner.limit = identity.kind === 'service' ? limits.servicePacketBytes : limits.packetBytes;
        this.counters.connections++;
        done(null, true);
      },
      authorizePublish: (client, packet, callback) => {
        const identity = client ? this.identities.get(client) : undefined;
        // a closing client's will still goes out (the fleet must hear it went offline)
        if (
          client &&
          !client.closed &&
          identity &&
          this.options.isCurrent &&
          !this.options.isCurrent(identity)
        ) {
          this.counters.refusedPublishes++;
          logger.warn({ clientId: client.id }, 'MQTT session closed: its credential was revoked elsewhere');
          callback(new Error('this client’s credential was revoked'));
          client.close();
          return;
        }
        if (identity && mayPublish(identity, packet.topic)) return callback(null);
        this.counters.refusedPublishes++;
        logger.warn({ clientId: client?.id, topic: packet.topic }, 'MQTT publish refused by the topic ACL');
        callback(new Error(`publishing to ${packet.topic} is not allowed for this client`));
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const identity = this.identities.get(client);
        if (identity && maySubscribe(identity, subscription.topic)) return callback(null, subscription);
        this.counters.refusedSubscribes++;
        logger.warn(
          { clientId: client.id, topic: subscription.topic },
          'MQTT subscription refused by the topic ACL',
        );
        callback(null, null);
      },
    });
    this.aedes = aedes;
    aedes.on('client', (client) => this.sessions.set(client.id, client));
    aedes.on('clientDisconnect', (client) => {
      if (this.sessions.get(client.id) === client) this.sessions.delete(client.id);
    });
    const accept = (socket: Socket) => {
      socket.on('error', () => undefined);
      const address = socket.remoteAddress ?? '';
      if (!connections.admit(address)) {
        this.counters.refusedConnections++;
        logger.warn({ address, open: connections.open }, 'MQTT connection refused: connection limit reached');
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        connections.release(address);
      });
      const scanner = new MqttLengthScanner(limits.connectPacketBytes);
      const stream = guardedStream(socket, scanner, (declaredBytes) => {
        this.counters.oversizedPackets++;
        logger.warn(
          { address, declaredBytes, limit: scanner.limit },
          'MQTT connection closed: packet too large',
        );
      });
      this.scanners.set(stream, scanner);
      aedes.handle(stream);
    };
    const tcp = createServer(accept);
    tcp.listen(this.options.port, this.options.host);
    await once(tcp, 'listening');
    this.servers.push(tcp);
    this.port = portOf(tcp);
    const { tls } = this.options;
    if (tls) {
      const secure = createTlsServer(
        { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
        accept,
      );
      secure.listen(tls.port, tls.host ?? this.options.host);
      await once(secure, 'listening');
      this.servers.push(secure);
      this.tlsPort = portOf(secure);
    }
    logger.info({ port: this.port, tlsPort: this.tlsPort }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
    const aedes = this.aedes;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    this.sessions.clear();
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
