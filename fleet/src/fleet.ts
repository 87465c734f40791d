import { dirname, join } from 'node:path';
import { readSecret } from '@locker/node-kit';
import type { Logger } from 'pino';
import { EmbeddedBroker } from './broker/embedded-broker.ts';
import type { FleetConfig } from './config/fleet-config.ts';
import { readFleetSecret } from './config/secret-strength.ts';
import { defaultItemTypes } from './domain/item-types.ts';
import { fleetMetrics } from './fleet-metrics.ts';
import type { AppServices } from './http/app.ts';
import type { NotificationChannel } from './notify/channels.ts';
import { EboxDropChannel } from './notify/ebox-channel.ts';
import { EmailChannel } from './notify/email-channel.ts';
import { NotificationDispatcher } from './notify/notification-dispatcher.ts';
import { SmsChannel } from './notify/sms-channel.ts';
import { ReleaseDesk } from './releases/release-desk.ts';
import { ReleaseFiles } from './releases/release-files.ts';
import { ReleaseRepo } from './releases/release-repo.ts';
import { RolloutRepo } from './releases/rollout-repo.ts';
import { RolloutService } from './releases/rollout-service.ts';
import { SecretBox } from './security/secret-box.ts';
import { AdminDesk } from './services/admin-desk.ts';
import { AuditChainWatch } from './services/audit-chain-watch.ts';
import { AuditHeadWatch } from './services/audit-head-watch.ts';
import type { LiveUpdate } from './services/change-publisher.ts';
import { DirectoryService } from './services/directory-service.ts';
import { LockerCommands } from './services/locker-commands.ts';
import { LockerDesk } from './services/locker-desk.ts';
import { LockerRegistry } from './services/locker-registry.ts';
import { ReservationDesk } from './services/reservation-desk.ts';
import { ReservationService } from './services/reservation-service.ts';
import { StaffService } from './services/staff-service.ts';
import { TokenService } from './services/token-service.ts';
import { fleetAuditKey } from './store/audit-chain.ts';
import { FleetStore } from './store/fleet-store.ts';
import type { Channel } from './store/reservation-repo.ts';
import { FleetLink } from './sync/fleet-link.ts';

export interface FleetDeps {
  config: FleetConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** The citizens' PIN source (tests inject collisions). */
  randomPin?: () => string;
}

/** The fleet service: store, broker (embedded or external), MQTT link, reservations, staff, scheduler. */
export class Fleet {
  store!: FleetStore;
  broker: EmbeddedBroker | undefined;
  link!: FleetLink;
  directory!: DirectoryService;
  registry!: LockerRegistry;
  reservations!: ReservationService;
  commands!: LockerCommands;
  auditHeads!: AuditHeadWatch;
  auditChain!: AuditChainWatch;
  staff!: StaffService;
  tokens!: TokenService;
  notifications!: NotificationDispatcher;
  releases!: ReleaseRepo;
  /** Artifacts in `releases/` beside the store file. */
  releaseFiles!: ReleaseFiles;
  rollouts!: RolloutService;
  private email: EmailChannel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private opened = false;
  private readonly liveListeners = new Set<(update: LiveUpdate) => void>();

  constructor(private readonly deps: FleetDeps) {}

  /** The URL lockers and the fleet's own client use to reach the broker. */
  get brokerUrl(): string {
    const { mqtt } = this.deps.config;
    return mqtt.broker === 'external' ? mqtt.url : (this.broker?.url ?? '');
  }

  /** Opens the store and builds the services, without touching the network (admin commands stop here). */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    const { config, logger } = this.deps;
    const env = this.deps.env ?? process.env;
    const masterKey = readFleetSecret(config.secrets.masterKey, 'secrets.masterKey', config.mode, env);
    const servicePassword = readFleetSecret(
      config.secrets.servicePassword,
      'secrets.servicePassword',
      config.mode,
      env,
    );
    const box = new SecretBox(masterKey);
    const store = FleetStore.open(config.store.path, { auditKey: fleetAuditKey(masterKey) });
    this.store = store;
    store.transaction(() => {
      if (store.directory.itemTypes().length === 0)
        for (const t of defaultItemTypes) store.directory.upsertItemType(t);
    });
    this.directory = new DirectoryService(store);
    this.registry = new LockerRegistry(store, box, servicePassword, (clientId) =>
      this.broker?.disconnect(clientId),
    );
    this.reservations = new ReservationService({
      store,
      registry: this.registry,
      box,
      // the link is built next, with the service as its inbound handler: changes reach it through here
      publisher: { sendChange: (lockerId, change) => this.link.sendChange(lockerId, change) },
      logger: logger.child({ module: 'reservations' }),
      ...(this.deps.now ? { now: this.deps.now } : {}),
      ...(this.deps.randomPin ? { randomPin: this.deps.randomPin } : {}),
    });
    this.reservations.on('live', (u) => this.publishLive(u));
    this.auditHeads = new AuditHeadWatch(store, logger.child({ module: 'audit' }));
    this.releases = new ReleaseRepo(store.db);
    this.releaseFiles = new ReleaseFiles(join(dirname(config.store.path), 'releases'));
    this.rollouts = new RolloutService({
      store,
      releases: this.releases,
      rollouts: new RolloutRepo(store.db),
      // the link is built next, with rollouts as its update observer
      send: (lockerId, command) => this.link.sendUpdate(lockerId, command),
      live: (u) => this.publishLive(u),
      logger: logger.child({ module: 'rollouts' }),
      ...(this.deps.now ? { now: this.deps.now } : {}),
    });
    this.link = new FleetLink(
      { url: () => this.brokerUrl, password: servicePassword },
      {
        store,
        reservations: this.reservations,
        auditHeads: this.auditHeads,
        updates: this.rollouts,
        onLive: (u) => this.publishLive(u),
        logger: logger.child({ module: 'link' }),
      },
    );
    this.commands = new LockerCommands({ store, sender: this.link });
    this.auditChain = new AuditChainWatch(store.audit, logger.child({ module: 'audit' }));
    this.staff = new StaffService(store, this.registry, this.link);
    this.tokens = new TokenService(store);
    this.notifications = new NotificationDispatcher({
      store,
      box,
      reservations: this.reservations,
      channels: this.channels(env),
      logger: logger.child({ module: 'notify' }),
      pollMs: config.notify.pollMs,
      retry: config.notify.retry,
      ...(this.deps.now ? { now: this.deps.now } : {}),
    });
    // codes are queued when the locker reports the item loaded: send them right away
    this.reservations.on('live', (u) => {
      if (u.kind === 'reservation' && u.state === 'loaded') void this.notifications.runOnce();
    });
  }

  async start(): Promise<void> {
    await this.open();
    const { config, logger } = this.deps;
    if (config.mqtt.broker === 'embedded') {
      this.broker = new EmbeddedBroker({
        host: config.mqtt.host,
        port: config.mqtt.port,
        ...(config.mqtt.tls ? { tls: config.mqtt.tls } : {}),
        limits: config.mqtt.limits,
        authenticate: (username, password, clientId) =>
          this.registry.authenticate(username, password, clientId),
        isCurrent: (identity) => this.registry.isCurrent(identity),
        logger: logger.child({ module: 'broker' }),
      });
      await this.broker.start();
    }
    await this.link.start();
    this.broker?.admitLockers();
    this.notifications.start();
    this.auditChain.start();
    this.timer = setInterval(() => {
      try {
        this.reservations.tick();
      } catch (error) {
        logger.error({ err: error }, 'scheduled expiry/overdue pass failed; retrying at the next tick');
      }
    }, config.schedule.tickMs);
    this.timer.unref();
    logger.info({ broker: this.brokerUrl }, 'fleet service started');
  }

  /** The services of the HTTP side (`buildApp`), after `open()`; the embedded broker's metrics only after `start()`. */
  httpServices(): AppServices {
    const { store } = this;
    return {
      reservations: new ReservationDesk({
        store,
        reservations: this.reservations,
        sendDue: () => this.notifications.runOnce(),
        ...(this.deps.now ? { now: this.deps.now } : {}),
      }),
      lockers: new LockerDesk(store),
      registry: this.registry,
      commands: this.commands,
      admin: new AdminDesk(store),
      releases: new ReleaseDesk({
        store,
        releases: this.releases,
        files: this.releaseFiles,
        rollouts: this.rollouts,
      }),
      rollouts: this.rollouts,
      staff: this.staff,
      tokens: this.tokens,
      auth: store,
      live: { onLive: (listener) => this.onLive(listener) },
      health: {
        brokerConnected: () => this.link.connected,
        auditIntact: () => this.auditChain.verdict?.intact ?? null,
      },
      metrics: fleetMetrics({
        store,
        link: this.link,
        notifications: this.notifications,
        auditChain: this.auditChain,
        auditHeads: this.auditHeads,
        broker: this.broker,
      }),
    };
  }

  /** Live updates for dashboards; returns the unsubscribe function. */
  onLive(listener: (update: LiveUpdate) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.auditChain?.stop();
    await this.notifications?.stop();
    this.email?.close();
    await this.link?.stop();
    await this.broker?.stop();
    this.store?.close();
  }

  private channels(env: NodeJS.ProcessEnv): Partial<Record<Channel, NotificationChannel>> {
    const { notify, mode } = this.deps.config;
    const channels: Partial<Record<Channel, NotificationChannel>> = {};
    if (notify.email) {
      const { password, ...smtp } = notify.email;
      this.email = new EmailChannel({
        ...smtp,
        ...(password ? { password: readSecret(password, 'notify.email.password', mode, env) } : {}),
      });
      channels.email = this.email;
    }
    if (notify.sms) {
      const { token, ...sms } = notify.sms;
      channels.sms = new SmsChannel({
        ...sms,
        ...(token ? { token: readSecret(token, 'notify.sms.token', mode, env) } : {}),
      });
    }
    if (notify.ebox) channels.ebox = new EboxDropChannel(notify.ebox.dropDir);
    return channels;
  }

  private publishLive(update: LiveUpdate): void {
    for (const listener of this.liveListeners) listener(update);
  }
}
