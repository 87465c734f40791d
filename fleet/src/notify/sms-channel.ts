import { ChannelError, type NotificationChannel, type OutgoingMessage } from './channels.ts';

export interface SmsGatewaySettings {
  /** The gateway's endpoint; it receives `POST {to, text, reference}` as JSON. */
  url: string;
  token?: string;
  sender: string;
}

const timeouts = { requestMs: 15_000 } as const;

/** SMS through a configurable HTTP gateway (most Belgian SMS providers accept a JSON POST). */
export class SmsChannel implements NotificationChannel {
  readonly name = 'sms' as const;

  constructor(private readonly settings: SmsGatewaySettings) {}

  async send(message: OutgoingMessage): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.settings.token ? { authorization: `Bearer ${this.settings.token}` } : {}),
        },
        body: JSON.stringify({
          from: this.settings.sender,
          to: message.recipient,
          text: message.text,
          reference: message.id,
        }),
        signal: AbortSignal.timeout(timeouts.requestMs),
      });
    } catch (error) {
      throw new ChannelError(
        'CHANNEL_UNREACHABLE',
        `SMS gateway ${this.settings.url} unreachable: ${(error as Error).message}`,
      );
    }
    if (!response.ok)
      throw new ChannelError(
        'CHANNEL_REJECTED',
        `SMS gateway answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
  }
}
