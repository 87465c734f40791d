import { openEventStream } from '@locker/node-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LockerCore } from '../runtime/locker-core.ts';
import type { Screen, ScreenState } from '../runtime/screen.ts';
import { languages } from './i18n.ts';
import { addKioskSecurityHeaders } from './kiosk-headers.ts';
import { type KioskPageOptions, kioskPage } from './kiosk-page.ts';
import { kioskScript } from './kiosk-script.ts';
import type { KioskSession } from './kiosk-session.ts';
import { kioskStyle } from './kiosk-style.ts';

export interface KioskAppDeps {
  core: LockerCore;
  screen: Screen;
  logger: Logger;
  health: () => { ok: boolean; [key: string]: unknown };
  page: KioskPageOptions;
  session: KioskSession;
}

const codeBody = z.object({ code: z.string().trim().min(1).max(200) }).strict();
const languageBody = z.object({ language: z.enum(languages) }).strict();
const typingBody = z.object({ digits: z.number().int().min(0).max(200) }).strict();
const staffParams = z.object({ action: z.enum(['load_next', 'bigger', 'retrieve_next', 'end']) });

/**
 * The local server for the touchscreen (Chromium in kiosk mode, on loopback only):
 *   GET  /                      the page (strict CSP: its script and style are the assets below)
 *   GET  /assets/kiosk.js, /assets/kiosk.css
 *   GET  /api/screen            what the screen shows now
 *   GET  /api/screen/events     the same, pushed (server-sent events)
 *   POST /api/code {code}       a code typed on the screen
 *   POST /api/staff/:action     load_next, bigger, retrieve_next, end
 *   POST /api/session {language}   the citizen chose a language
 *   POST /api/speech {language}    speak the screen (again), and every later one of this visit
 *   POST /api/typing {digits}   how many digits are typed (never which), spoken when speech is on
 *   POST /api/session/end       the page cleared itself after inactivity: speech off, default language
 *   GET  /healthz
 */
export async function buildKioskApp({
  core,
  screen,
  logger,
  health,
  page,
  session,
}: KioskAppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ module: 'kiosk' }) as FastifyBaseLogger,
    bodyLimit: 4096,
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof z.ZodError)
      return reply.code(400).send({
        code: 'KIOSK_BAD_REQUEST',
        message: 'request does not match the kiosk API',
        issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) logger.error({ err: error }, 'kiosk request failed');
    return reply
      .code(status)
      .send({ code: 'KIOSK_ERROR', message: status >= 500 ? 'internal error' : (error as Error).message });
  });

  addKioskSecurityHeaders(app);

  const html = kioskPage(page);
  const script = kioskScript();
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/assets/kiosk.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(script),
  );
  app.get('/assets/kiosk.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(kioskStyle),
  );
  app.get('/api/screen', async () => screen.current);
  app.post('/api/code', async (request) => core.enterCode(codeBody.parse(request.body).code, 'screen'));
  app.post('/api/staff/:action', async (request) =>
    core.staffAction(staffParams.parse(request.params).action),
  );
  const sessionState = () => ({ language: session.language, speech: session.speechOn });
  app.post('/api/session', async (request) => {
    session.choose(languageBody.parse(request.body).language);
    return sessionState();
  });
  app.post('/api/speech', async (request) => {
    session.choose(languageBody.parse(request.body).language);
    session.speak();
    return sessionState();
  });
  app.post('/api/typing', async (request) => {
    session.typed(typingBody.parse(request.body).digits);
    return sessionState();
  });
  app.post('/api/session/end', async () => {
    session.end();
    return sessionState();
  });
  app.get('/healthz', async (_request, reply) => {
    const status = health();
    return reply.code(status.ok ? 200 : 503).send(status);
  });

  app.get('/api/screen/events', (_request, reply) => {
    const stream = openEventStream(reply);
    const send = (state: ScreenState) => stream.send(state);
    send(screen.current);
    screen.on('change', send);
    stream.onClose(() => screen.off('change', send));
  });

  return app;
}
