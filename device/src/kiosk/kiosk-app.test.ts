import { get, type IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LockerCore } from '../runtime/locker-core.ts';
import { Screen } from '../runtime/screen.ts';
import { RecordingSpeech } from '../speech/recording-speech.ts';
import { buildKioskApp } from './kiosk-app.ts';
import { KioskSession } from './kiosk-session.ts';

let app: FastifyInstance | undefined;
let response: IncomingMessage | undefined;

afterEach(async () => {
  // a stream left open (a failed assertion) would keep close() waiting
  response?.destroy();
  await app?.close();
});

/** The kiosk server on loopback with a screen only (the screen stream never reaches the core). */
async function serveKiosk() {
  const screen = new Screen(() => 0);
  const session = new KioskSession({ screen, speech: new RecordingSpeech(), defaultLanguage: 'nl' });
  app = await buildKioskApp({
    core: {} as LockerCore,
    screen,
    logger: pino({ level: 'silent' }),
    health: () => ({ ok: true }),
    page: { defaultLanguage: 'nl', inactivityMs: 60_000 },
    session,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { screen, url };
}

describe('kiosk screen events', () => {
  it('pushes the current screen, then each change, and stops listening when the page goes away', async () => {
    const { screen, url } = await serveKiosk();
    const events = await new Promise<IncomingMessage>((resolve) => get(`${url}/api/screen/events`, resolve));
    response = events;
    let text = '';
    events.setEncoding('utf8');
    events.on('data', (chunk: string) => {
      text += chunk;
    });
    expect(events.headers['content-type']).toBe('text/event-stream');
    await vi.waitFor(() => expect(text).toContain('"view":"welcome"'), { timeout: 10_000 });
    expect(screen.listenerCount('change')).toBe(1);
    screen.show('door_open', { compartment: 7 });
    await vi.waitFor(() => expect(text).toContain('"view":"door_open","params":{"compartment":7}'), {
      timeout: 10_000,
    });
    expect(text.startsWith(': open\n\n')).toBe(true);
    events.destroy();
    await vi.waitFor(() => expect(screen.listenerCount('change')).toBe(0), { timeout: 10_000 });
  });
});
