import type { Channel } from '../store/reservation-repo.ts';

/** One message ready to go out on one channel. */
export interface OutgoingMessage {
  id: string;
  channel: Channel;
  recipient: string;
  language: string;
  subject: string;
  text: string;
  /** The QR code's text; channels that can carry images render it. */
  qr?: string;
}

/** A way to reach a citizen: e-mail, SMS gateway, eBox. `send` resolves once the channel accepted it. */
export interface NotificationChannel {
  readonly name: Channel;
  send(message: OutgoingMessage): Promise<void>;
}

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly code: 'CHANNEL_REJECTED' | 'CHANNEL_UNREACHABLE' | 'CHANNEL_NOT_CONFIGURED',
    message: string,
  ) {
    super(message);
  }
}
