import { once } from 'node:events';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import { esc } from '../http/pages/html.ts';
import { decodeQrPng } from './qr-decode.ts';

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  qrPng: Buffer | undefined;
  at: string;
}

/**
 * For the demo only: an SMTP server on loopback that keeps every message, and a page that shows
 * them (with the QR image), so a newcomer can follow a pickup without a real mail account.
 */
export class DemoMailbox {
  private smtp: SMTPServer | undefined;
  private web: FastifyInstance | undefined;
  readonly mails: CapturedMail[] = [];
  smtpPort = 0;
  url = '';

  constructor(private readonly options: { webPort: number; logger: Logger }) {}

  async start(): Promise<void> {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _session, callback) => {
        simpleParser(stream, { keepCidLinks: true })
          .then((mail) => {
            this.mails.push({
              to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(', ') : (mail.to?.text ?? ''),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              qrPng: mail.attachments.find((a) => a.cid === 'pickup-qr')?.content,
              at: new Date().toISOString(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    this.smtp = smtp;
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    this.smtpPort = (smtp.server.address() as { port: number }).port;
    const web = Fastify({
      loggerInstance: this.options.logger.child({ module: 'demo-mailbox' }) as FastifyBaseLogger,
    });
    this.web = web;
    web.get('/', async (_request, reply) => {
      reply.type('text/html; charset=utf-8');
      const items = [...this.mails]
        .reverse()
        .map(
          (m) =>
            `<article><h2>${esc(m.subject)}</h2><p>To ${esc(m.to)} · ${esc(m.at)}</p><pre>${esc(m.text)}</pre>${
              m.qrPng
                ? `<img alt="QR code" width="200" height="200" src="data:image/png;base64,${m.qrPng.toString('base64')}"><p>What a scanner reads: <code>${esc(decodeQrPng(m.qrPng) ?? '(unreadable)')}</code></p>`
                : ''
            }</article>`,
        )
        .join('<hr>');
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Demo mailbox</title></head><body><main><h1>Demo mailbox (${this.mails.length})</h1>${items || '<p>No messages yet.</p>'}</main></body></html>`;
    });
    await web.listen({ host: '127.0.0.1', port: this.options.webPort });
    this.url = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await this.web?.close();
    await new Promise<void>((resolve) => (this.smtp ? this.smtp.close(() => resolve()) : resolve()));
  }
}
