import type { IncomingMessage, ServerResponse } from 'node:http';

export const sseDefaults = { heartbeatMs: 15_000 } as const;

/** What the stream needs of a fastify reply (structural, so node-kit does not depend on fastify). */
export interface HijackableReply {
  hijack(): void;
  readonly raw: ServerResponse;
  readonly request: { readonly raw: IncomingMessage };
}

/** A server-sent event stream on a hijacked reply. */
export interface EventStream {
  send(data: unknown): void;
  /** Runs `cleanup` once the client has gone away. */
  onClose(cleanup: () => void): void;
}

/**
 * Opens a server-sent event stream: headers, a first comment, and a heartbeat comment every
 * `heartbeatMs` (so proxies keep it open) until the client goes away.
 */
export function openEventStream(
  reply: HijackableReply,
  options: { heartbeatMs: number } = sseDefaults,
): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  res.write(': open\n\n');
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs);
  const request = reply.request.raw;
  request.on('close', () => clearInterval(heartbeat));
  return {
    send: (data) => res.write(`data: ${JSON.stringify(data)}\n\n`),
    onClose: (cleanup) => request.on('close', cleanup),
  };
}
