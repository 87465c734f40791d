import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

/** A real MQTT broker (aedes) on loopback for tests; `stop()` drops every connection, `start()` again on the same port. */
export class TestBroker {
  private server: Server | undefined;
  private broker: Aedes | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  /** A fleet peer has subscribed on this broker instance. */
  private fleetSubscribed = false;
  /** Topic suffix of the next publish to hold unanswered (no PUBACK), as a connection dying mid-flight does. */
  private holdNext: string | undefined;
  /** Publishes held so far. */
  held = 0;

  /**
   * `lockersAfterFleet`: like the fleet's embedded broker, a locker (client id `locker-…`) is let in
   * only once the fleet (`fleet-peer-…`) has subscribed, so that after a restart no locker event
   * goes to nobody, whichever side reconnects first.
   */
  constructor(private readonly options: { port?: number; lockersAfterFleet?: boolean } = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.fleetSubscribed = false;
    const broker = await Aedes.createBroker({
      ...(this.options.lockersAfterFleet
        ? {
            authenticate: (client, _username, _password, done) =>
              done(null, this.fleetSubscribed || !client.id.startsWith('locker-')),
          }
        : {}),
      authorizePublish: (_client, packet, done) => {
        if (this.holdNext === undefined || !packet.topic.endsWith(this.holdNext)) return done(null);
        this.holdNext = undefined;
        this.held++;
      },
    });
    broker.on('subscribe', (_subscriptions, client) => {
      if (client?.id.startsWith('fleet-peer-')) this.fleetSubscribed = true;
    });
    this.broker = broker;
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    this.server = server;
    server.listen(this.port || this.options.port || 0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** The next publish whose topic ends with `topicSuffix` is taken and never acknowledged. */
  holdNextPublish(topicSuffix: string): void {
    this.holdNext = topicSuffix;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    this.server = undefined;
    this.broker = undefined;
  }
}
