import { readFileSync } from 'node:fs';
import { readSecret } from '@locker/node-kit';
import { auditTrailLength } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DeviceConfig } from '../config/device-config.ts';
import type { CabinetIo } from '../gpio/cabinet-io.ts';
import { createCabinetIo } from '../gpio/create-cabinet-io.ts';
import { SerialLineInput } from '../input/serial-line-input.ts';
import { buildKioskApp } from '../kiosk/kiosk-app.ts';
import { KioskSession } from '../kiosk/kiosk-session.ts';
import { BoardLockBus } from '../lockbus/board-lock-bus.ts';
import type { LockBus, LockBusHealth } from '../lockbus/lock-bus.ts';
import { EspeakSpeech } from '../speech/espeak-speech.ts';
import type { SpeechOutput } from '../speech/speech-output.ts';
import { DeviceStore, type StoreOptions } from '../store/device-store.ts';
import { claimIdentity } from '../store/locker-identity.ts';
import { type FreeBytes, StoreHealth } from '../store/store-health.ts';
import { FleetSync } from '../sync/fleet-sync.ts';
import { isLockerIdle } from '../update/locker-idle.ts';
import { UpdateService } from '../update/update-service.ts';
import { type Clock, systemClock } from './clock.ts';
import { DoorKeeper } from './door-keeper.ts';
import { EventRecorder } from './event-recorder.ts';
import { LockerCore } from './locker-core.ts';
import { Screen } from './screen.ts';

/** The version of the release this code came with (device/package.json, in the source tree and in a release). */
export const softwareVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface DeviceDeps {
  config: DeviceConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Wall and monotonic clocks (tests step the wall clock or move both). */
  clock?: Clock;
  /** Tests inject a soft cabinet to open the service door. */
  io?: CabinetIo;
  /** Fault injection at the store seam (a refused write). */
  storeOptions?: StoreOptions;
  /** Free bytes of the database's file system (tests play a low disk). */
  freeBytes?: FreeBytes;
  /** Tests inject a recording speech output. */
  speech?: SpeechOutput;
  /** Stops this process so that its supervisor starts `current` again (updates); the CLI exits with 75. */
  restart?: () => Promise<void>;
}

export type HealthProblem = 'starting' | 'board_offline' | 'bus_unresponsive';

export interface DeviceHealth {
  ok: boolean;
  /** Why not ok; empty when ok. */
  problems: HealthProblem[];
  bus: LockBusHealth | null;
  [key: string]: unknown;
}

export interface DeviceAddresses {
  kioskUrl: string;
}

/** One locker: store, lock bus, door keeper, flows, inputs, cabinet I/O, kiosk server, fleet sync. */
export class Device {
  private store: DeviceStore | undefined;
  private storeHealth: StoreHealth | undefined;
  private bus: LockBus | undefined;
  private doors: DoorKeeper | undefined;
  private core: LockerCore | undefined;
  private sync: FleetSync | undefined;
  private kiosk: FastifyInstance | undefined;
  private io: CabinetIo | undefined;
  private inputs: SerialLineInput[] = [];
  private session: KioskSession | undefined;
  private onTamper: ((open: boolean) => void) | undefined;
  private updates: UpdateService | undefined;
  private screen: Screen | undefined;
  private ready = false;

  constructor(private readonly deps: DeviceDeps) {}

  async start(): Promise<DeviceAddresses> {
    const { config, logger } = this.deps;
    const clock = this.deps.clock ?? systemClock;
    const env = this.deps.env ?? process.env;
    const codeKey = readSecret(config.secrets.codeKey, 'secrets.codeKey', config.mode, env);
    const auditKey = readSecret(config.secrets.auditKey, 'secrets.auditKey', config.mode, env);
    const password = config.fleet?.password
      ? readSecret(config.fleet.password, 'fleet.password', config.mode, env)
      : undefined;

    if (config.updates) {
      const restart = this.deps.restart;
      this.updates = new UpdateService({
        config: config.updates,
        storePath: config.store.path,
        running: softwareVersion,
        health: () => ({ ok: this.health().ok, fleetConnected: this.sync?.connected ?? null }),
        isIdle: () =>
          isLockerIdle(
            {
              view: this.screen?.current.view ?? 'error',
              screenChangedAt: this.screen?.current.at ?? clock.wall(),
              openDoors: this.doors?.openCount() ?? 0,
              now: clock.wall(),
            },
            config.updates!.idleQuietMs,
          ),
        restart: restart ?? (async () => logger.error('an update asked for a restart; none configured')),
        now: () => new Date(clock.wall()),
        logger: logger.child({ module: 'update' }),
      });
      this.updates.prepare();
    }
    const store = DeviceStore.open(config.store.path, { ...this.deps.storeOptions, auditKey });
    this.store = store;
    claimIdentity(store, config.lockerId, config.store.commissioned);
    const bus = BoardLockBus.fromConfig(config.bus, { logger: logger.child({ module: 'lockbus' }) });
    this.bus = bus;
    await bus.start();
    const recorder = new EventRecorder(store, config.lockerId, () => clock.wall());
    const storeHealth = new StoreHealth({
      store,
      logger: logger.child({ module: 'store' }),
      clock,
      alarm: (data) => recorder.record('alarm', { data }),
      ...(this.deps.freeBytes ? { freeBytes: this.deps.freeBytes } : {}),
    });
    this.storeHealth = storeHealth;
    storeHealth.start();
    const screen = new Screen(() => clock.wall());
    this.screen = screen;
    const io = this.deps.io ?? createCabinetIo(config.gpio, logger);
    this.io = io;
    await io.start();
    this.onTamper = (open: boolean) => {
      try {
        store.transaction(() =>
          recorder.record(open ? 'alarm' : 'fault', {
            data: { code: open ? 'service_door_open' : 'service_door_closed' },
          }),
        );
      } catch (error) {
        logger.error({ err: error, open }, 'service door change not recorded');
      }
    };
    io.on('tamper', this.onTamper);
    const doors = new DoorKeeper({
      store,
      bus,
      recorder,
      compartments: config.compartments,
      timing: { reminderMs: config.timing.doorReminderMs, alarmMs: config.timing.doorAlarmMs },
      logger: logger.child({ module: 'doors' }),
      clock,
    });
    this.doors = doors;
    const core = new LockerCore({
      config,
      store,
      doors,
      recorder,
      screen,
      codeKey,
      logger: logger.child({ module: 'flows' }),
      clock,
      cue: (kind) => io.buzz(kind === 'ok' ? 80 : kind === 'error' ? 300 : 600),
      storeWritable: () => storeHealth.usable,
      busHealthy: () => bus.health().ok,
    });
    this.core = core;
    core.start();
    await doors.start();
    const session = new KioskSession({
      screen,
      speech: this.deps.speech ?? new EspeakSpeech(config.speech, logger.child({ module: 'speech' })),
      defaultLanguage: config.kiosk.defaultLanguage,
    });
    this.session = session;
    session.start();

    for (const name of ['keypad', 'scanner'] as const) {
      const line = config.inputs[name];
      if (!line) continue;
      const input = new SerialLineInput({ name, ...line }, logger.child({ module: name }));
      input.on(
        'line',
        (text) =>
          void core
            .enterCode(text, name)
            .catch((error) => logger.error({ err: error }, 'code handling failed')),
      );
      input.on('speak', () => session.speak());
      await input.start();
      this.inputs.push(input);
    }

    if (config.fleet) {
      const sizes = new Map(config.compartments.map((c) => [c.number, c.size]));
      const sync = new FleetSync(
        {
          url: config.fleet.url,
          lockerId: config.lockerId,
          ...(config.fleet.username ? { username: config.fleet.username } : {}),
          ...(password ? { password } : {}),
          software: softwareVersion,
          ...(config.fleet.reconnect ? { reconnect: { backoff: config.fleet.reconnect } } : {}),
          ...(this.updates ? { updates: this.updates.syncHooks() } : {}),
          telemetryMs: config.timing.telemetryMs,
          telemetry: () => ({
            outboxDepth: store.outbox.depth(),
            bus: { ...flatCounters(bus.counters()), ...this.readerErrors() },
            compartments: store.compartments().map((c) => ({
              number: c.number,
              size: sizes.get(c.number) ?? 'S',
              state: c.state,
              door: c.door,
            })),
            storage: storeHealth.state(),
            audit: { ...store.audit.head(), recent: store.audit.recentHashes(auditTrailLength) },
          }),
        },
        core,
        store.outbox,
        logger.child({ module: 'sync' }),
      );
      this.sync = sync;
      this.updates?.connect((status) => sync.publishUpdateStatus(status));
      recorder.on('recorded', () => void sync.drain());
      // the alarm of a disk that refuses writes travels at once, without the outbox
      storeHealth.on('change', () => sync.publishTelemetry());
      sync.start();
    }

    const kiosk = await buildKioskApp({
      core,
      screen,
      logger,
      health: () => this.health(),
      page: { defaultLanguage: config.kiosk.defaultLanguage, inactivityMs: config.timing.inactivityMs },
      session,
    });
    this.kiosk = kiosk;
    await kiosk.listen({ host: config.kiosk.host, port: config.kiosk.port });
    const address = kiosk.server.address();
    const port = typeof address === 'object' && address ? address.port : config.kiosk.port;
    io.light(true);
    this.ready = true;
    return { kioskUrl: `http://${config.kiosk.host}:${port}` };
  }

  /** Reader noise dropped by each input (`keypadReaderErrors`, `scannerReaderErrors`), for telemetry. */
  private readerErrors(): Record<string, number> {
    return Object.fromEntries(
      this.inputs.map((input) => [`${input.name}ReaderErrors`, input.counters.readerErrors]),
    );
  }

  /**
   * For `/healthz` and the systemd watchdog: not ok while starting, while a board is offline, or
   * when the lock bus got no good reply for `unhealthyAfterFailedPolls` polls in a row (a dead
   * adapter); `problems` says which.
   */
  health(): DeviceHealth {
    const counters = this.bus?.counters();
    const boardsOnline = counters ? Object.values(counters.boards).every((b) => b.online) : false;
    const bus = this.bus?.health() ?? null;
    const problems: HealthProblem[] = [
      ...(this.ready ? [] : ['starting' as const]),
      ...(boardsOnline ? [] : ['board_offline' as const]),
      ...(bus && !bus.ok ? ['bus_unresponsive' as const] : []),
    ];
    return {
      ok: problems.length === 0,
      problems,
      lockerId: this.deps.config.lockerId,
      boardsOnline,
      bus,
      fleetConnected: this.sync?.connected ?? null,
      fleetRejectedMessages: this.sync?.counters.rejectedMessages ?? 0,
      outboxDepth: this.store?.outbox.depth() ?? null,
      openDoors: this.doors?.openCount() ?? 0,
      auditIntact: this.store?.audit.verify().intact ?? null,
      // not part of `ok`: a restart does not free a disk; pickups are refused and the fleet alarmed instead
      storage: this.storeHealth?.state() ?? null,
    };
  }

  /** The open store (undefined before start): what tests and tools in this process read. */
  get openStore(): DeviceStore | undefined {
    return this.store;
  }

  /** The fleet sync (undefined before start or without a fleet). */
  get fleetSync(): FleetSync | undefined {
    return this.sync;
  }

  async stop(): Promise<void> {
    this.updates?.stop();
    await this.kiosk?.close();
    await this.sync?.stop();
    for (const input of this.inputs) await input.stop();
    this.session?.stop();
    this.core?.stop();
    this.doors?.stop();
    this.storeHealth?.stop();
    await this.bus?.stop();
    // an injected cabinet outlives this device: leave no listener on it
    if (this.onTamper) this.io?.off('tamper', this.onTamper);
    await this.io?.stop();
    this.store?.close();
  }
}

function flatCounters(counters: ReturnType<LockBus['counters']>): Record<string, number> {
  const { boards, ...numbers } = counters;
  return { ...numbers, boardsOffline: Object.values(boards).filter((b) => !b.online).length };
}
