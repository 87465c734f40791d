import { get, type IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EventStream, openEventStream } from './sse.ts';

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
});

/** A server with one event stream and a client connected to it, collecting what it receives. */
async function serve(heartbeatMs: number) {
  app = Fastify();
  const closed = vi.fn();
  let stream: EventStream | undefined;
  app.get('/events', async (_request, reply) => {
    stream = openEventStream(reply, { heartbeatMs });
    stream.onClose(closed);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const response = await new Promise<IncomingMessage>((resolve) => get(`${url}/events`, resolve));
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
  });
  await vi.waitFor(() => expect(stream).toBeDefined(), { timeout: 10_000 });
  return { response, stream: stream as EventStream, closed, received: () => text };
}

describe('server-sent event stream', () => {
  it('sends JSON events, heartbeat comments, and cleans up when the client goes away', async () => {
    const { response, stream, closed, received } = await serve(5);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.headers['cache-control']).toBe('no-store');
    stream.send({ kind: 'locker', lockerId: 'ieper-1' });
    await vi.waitFor(() => expect(received()).toContain('data: {"kind":"locker","lockerId":"ieper-1"}\n\n'), {
      timeout: 10_000,
    });
    await vi.waitFor(() => expect(received()).toContain(': heartbeat\n\n'), { timeout: 10_000 });
    expect(received().startsWith(': open\n\n')).toBe(true);
    response.destroy();
    await vi.waitFor(() => expect(closed).toHaveBeenCalledTimes(1), { timeout: 10_000 });
  });
});
