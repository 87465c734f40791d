import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { NotificationChannel, OutgoingMessage } from './channels.ts';

/**
 * eBox (the federal government's citizen mailbox). Its API needs a municipality's own
 * registration, so this adapter drops each message as a JSON file (with the QR as a PNG data
 * URL) into a folder that the municipality's eBox connector picks up. The file is written
 * under a temporary name and renamed, so a connector never reads half a message.
 */
export class EboxDropChannel implements NotificationChannel {
  readonly name = 'ebox' as const;

  constructor(private readonly dropDir: string) {}

  async send(message: OutgoingMessage): Promise<void> {
    await mkdir(this.dropDir, { recursive: true });
    const qrPng = message.qr
      ? await QRCode.toDataURL(message.qr, { errorCorrectionLevel: 'M', margin: 4, scale: 8 })
      : null;
    const body = JSON.stringify(
      {
        messageId: message.id,
        recipient: message.recipient,
        language: message.language,
        subject: message.subject,
        text: message.text,
        qrPng,
      },
      null,
      2,
    );
    const final = join(this.dropDir, `${message.id}.json`);
    await writeFile(`${final}.part`, body, { mode: 0o600 });
    await rename(`${final}.part`, final);
  }
}
