import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createBroker } from 'aedes';

/** A real MQTT broker (aedes) on loopback for tests; `stop()` drops every connection, `start()` again on the same port. */
export class TestBroker {
  private server: Server | undefined;
  private broker: ReturnType<typeof createBroker> | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly options: { port?: number; credentials?: Record<string, string> } = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const credentials = this.options.credentials;
    const broker = createBroker(
      credentials
        ? {
            authenticate: (_client, username, password, done) =>
              done(null, username !== undefined && credentials[username] === password?.toString()),
          }
        : {},
    );
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

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    this.server = undefined;
    this.broker = undefined;
  }
}
