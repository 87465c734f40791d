import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** A TCP-to-RS-485 bridge: every connection is a master on the simulated bus. */
export class TcpBridge {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly attach: (stream: Duplex) => () => void,
    private readonly requestedPort: number,
    private readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<void> {
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      const detach = this.attach(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        detach();
        this.sockets.delete(socket);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.requestedPort, this.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.requestedPort;
  }

  /** Drops every connection, as a bridge does when it restarts; clients must reconnect. */
  dropConnections(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    return count;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
