import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServerOptions {
  /** Ignore `Range` and send the whole file with 200. */
  ignoreRange?: boolean;
  /** Cut the connection after this many body bytes (one time). */
  cutAfter?: number;
}

/** A loopback HTTP server for one file with `Range: bytes=<n>-` support, recording what it was asked. */
export class RangeServer {
  readonly requests: { url: string; range: string | undefined }[] = [];
  private server: Server | undefined;

  constructor(
    private body: Buffer,
    private readonly options: RangeServerOptions = {},
  ) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => this.serve(request, response));
    this.server = server;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  setBody(body: Buffer): void {
    this.body = body;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private serve(request: IncomingMessage, response: import('node:http').ServerResponse): void {
    const range = request.headers.range;
    this.requests.push({ url: request.url ?? '', range });
    const from = !this.options.ignoreRange && range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
    const slice = this.body.subarray(from);
    response.writeHead(from > 0 ? 206 : 200, { 'content-length': slice.length });
    const cut = this.options.cutAfter;
    if (cut !== undefined && cut < slice.length) {
      this.options.cutAfter = undefined;
      response.write(slice.subarray(0, cut), () => response.destroy());
      return;
    }
    response.end(slice);
  }
}
