import type { Logger } from 'pino';
import type { SecretBox } from '../security/secret-box.ts';
import type { ReservationService } from '../services/reservation-service.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { NotificationRecord } from '../store/notification-repo.ts';
import type { Channel } from '../store/reservation-repo.ts';
import type { NotificationChannel, OutgoingMessage } from './channels.ts';
import { formatDeadline, messageTexts } from './message-texts.ts';

export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export interface DispatcherCounters {
  sent: number;
  failedAttempts: number;
  givenUp: number;
}

/**
 * Sends what the queue holds when it is due, on the reservation's channel; retries with
 * exponential backoff; gives up after `maxAttempts` (the desk sees it and can resend). Every
 * attempt is kept in the queue row and logged. A sent message's codes are wiped.
 */
export class NotificationDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  readonly counters: DispatcherCounters = { sent: 0, failedAttempts: 0, givenUp: 0 };

  constructor(
    private readonly deps: {
      store: FleetStore;
      box: SecretBox;
      reservations: ReservationService;
      channels: Partial<Record<Channel, NotificationChannel>>;
      logger: Logger;
      pollMs: number;
      retry: RetryPolicy;
      now?: () => number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.deps.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over what is due; concurrent calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const now = this.deps.now?.() ?? Date.now();
    for (const notification of this.deps.store.notifications.due(new Date(now).toISOString(), 50))
      await this.deliver(notification, now);
  }

  private async deliver(notification: NotificationRecord, now: number): Promise<void> {
    const { store, logger } = this.deps;
    const log = logger.child({
      notification: notification.id,
      reservation: notification.reservationId,
      channel: notification.channel,
      kind: notification.kind,
    });
    try {
      const channel = this.deps.channels[notification.channel];
      if (!channel)
        throw new Error(
          `no ${notification.channel} channel is configured; configure it or change the citizen's channel`,
        );
      await channel.send(this.compose(notification));
      store.notifications.markSent(notification.id, new Date(now).toISOString());
      this.counters.sent++;
      log.info({ attempt: notification.attempts + 1 }, 'notification sent');
      if (notification.kind === 'ready') this.deps.reservations.markNotified(notification.reservationId);
    } catch (error) {
      const attempt = notification.attempts + 1;
      const { retry } = this.deps;
      const giveUp = attempt >= retry.maxAttempts;
      const delay = Math.min(retry.firstDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
      store.notifications.markAttemptFailed(
        notification.id,
        (error as Error).message.slice(0, 500),
        giveUp ? null : new Date(now + delay).toISOString(),
      );
      this.counters.failedAttempts++;
      if (giveUp) this.counters.givenUp++;
      log.warn(
        { err: error, attempt, retryInMs: giveUp ? null : delay },
        giveUp ? 'notification given up; the desk can resend it' : 'notification failed; retrying later',
      );
    }
  }

  private compose(notification: NotificationRecord): OutgoingMessage {
    const { store, box } = this.deps;
    const reservation = store.reservations.get(notification.reservationId);
    if (!reservation) throw new Error(`reservation ${notification.reservationId} is gone`);
    const locker = store.lockers.get(reservation.lockerId);
    const site = locker?.siteId ? store.directory.site(locker.siteId) : undefined;
    const type = store.directory.itemType(reservation.itemType);
    const codes = notification.secretBox
      ? (JSON.parse(box.open(notification.secretBox)) as { pin?: string; qr?: string; returnPin?: string })
      : {};
    const language = notification.language;
    const deadline =
      notification.kind === 'return_reminder' || notification.kind === 'overdue'
        ? reservation.dueAt
        : reservation.expiresAt;
    const text = messageTexts[language][notification.kind]({
      itemName: type?.names[language] ?? reservation.itemType,
      ref: reservation.ref,
      lockerName: locker?.name ?? reservation.lockerId,
      address: site?.address ?? '',
      deadline: deadline ? formatDeadline(deadline, language) : '',
      hasQr: !!codes.qr,
      ...(codes.pin ? { pin: codes.pin } : {}),
      ...(codes.returnPin ? { returnPin: codes.returnPin } : {}),
    });
    return {
      id: notification.id,
      channel: notification.channel,
      recipient: notification.recipient,
      language,
      subject: text.subject,
      text: text.lines.join('\n'),
      ...(codes.qr ? { qr: codes.qr } : {}),
    };
  }
}
