import nodemailer, { type Transporter } from 'nodemailer';
import QRCode from 'qrcode';
import type { NotificationChannel, OutgoingMessage } from './channels.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  from: string;
  user?: string;
  password?: string;
  /** Only for a test server with a self-signed certificate. */
  allowSelfSigned?: boolean;
}

const timeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 } as const;

/** E-mail over SMTP: plain text, and HTML with the QR code as an inline image (cid). */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private transport: Transporter | undefined;

  constructor(private readonly settings: SmtpSettings) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.transport ??= nodemailer.createTransport({
      host: this.settings.host,
      port: this.settings.port,
      secure: this.settings.secure,
      ...(this.settings.user
        ? { auth: { user: this.settings.user, pass: this.settings.password ?? '' } }
        : {}),
      connectionTimeout: timeouts.connectionMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      tls: { rejectUnauthorized: !this.settings.allowSelfSigned },
    });
    const qrPng = message.qr
      ? await QRCode.toBuffer(message.qr, { errorCorrectionLevel: 'M', margin: 4, scale: 8 })
      : undefined;
    const paragraphs = message.text
      .split('\n')
      .map((line) => `<p style="font-size:16px">${escapeHtml(line)}</p>`)
      .join('');
    await this.transport.sendMail({
      from: this.settings.from,
      to: message.recipient,
      subject: message.subject,
      text: message.text,
      html: `<!doctype html><html lang="${message.language}"><body>${paragraphs}${
        qrPng ? '<p><img src="cid:pickup-qr" alt="QR" width="264" height="264"></p>' : ''
      }</body></html>`,
      ...(qrPng
        ? {
            attachments: [{ filename: 'qr.png', content: qrPng, cid: 'pickup-qr', contentType: 'image/png' }],
          }
        : {}),
      headers: { 'X-Locker-Message-Id': message.id },
    });
  }

  close(): void {
    this.transport?.close();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
