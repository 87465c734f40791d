import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type Clock,
  Device,
  type DeviceConfigInput,
  type DeviceDeps,
  loadDeviceConfig,
  SoftCabinetIo,
  type SpeechOutput,
} from '@locker/device';
import { Simulator, type SimulatorOptionsInput } from '@locker/simulator';
import pino from 'pino';
import { cliSources } from '../sources.ts';
import { FleetPeer } from './fleet-peer.ts';
import { TestBroker } from './test-broker.ts';

export const rigCodeKey = 'k'.repeat(48);
export const rigAuditKey = 'a'.repeat(48);
export const rigLockerId = 'ieper-test-1';

export interface RigOptions {
  boards?: number;
  /** Compartment sizes in order (number 1…); default S,S,S,M,M,L,… over 2 × 16 locks. */
  sizes?: ('S' | 'M' | 'L' | 'XL')[];
  itemSensors?: boolean;
  timing?: Partial<{
    doorReminderMs: number;
    doorAlarmMs: number;
    inactivityMs: number;
    telemetryMs: number;
  }>;
  lockout?: DeviceConfigInput['lockout'];
  sim?: Partial<SimulatorOptionsInput>;
  /** A fixed kiosk port, so that the page's address survives device restarts. */
  kioskPort?: number;
  /** The device's clocks (in-process only), for time logic without waiting. */
  clock?: Clock;
  /** More environment for the device process (e.g. libfaketime's LD_PRELOAD). */
  deviceEnv?: Record<string, string>;
  /** The config says this locker was commissioned (a new or foreign database is then refused). */
  commissioned?: boolean;
  /** The in-process device's speech output (a recording one in tests). */
  speech?: SpeechOutput;
  /** A real fleet instead of the scripted peer: its broker URL and this locker's provisioned identity. */
  fleet?: { url: string; lockerId: string; municipality: string; password: string; codeKey: string };
}

/**
 * A whole locker for tests, every part real: the simulated cabinet (CU16 boards with item sensors,
 * keypad and scanner) on socat ptys, an aedes broker on loopback, a scripted fleet peer, a config
 * file and a SQLite file. The device runs in this process or as a child process (to kill -9).
 */
export class LockerRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'locker-rig-'));
  readonly configFile = join(this.dir, 'locker.json');
  readonly simulator: Simulator;
  readonly broker = new TestBroker({ lockersAfterFleet: true });
  peer!: FleetPeer;
  inProcess: Device | undefined;
  /** The in-process device's cabinet I/O: open the service door, read the buzzer. */
  readonly io = new SoftCabinetIo(pino({ level: 'silent' }));
  child: ChildProcess | undefined;
  childLog = '';
  kioskUrl = '';

  constructor(private readonly options: RigOptions = {}) {
    this.simulator = new Simulator({
      protocol: 'cu16',
      boards: options.boards ?? 2,
      inputs: true,
      physics: { springMs: 5, bounceMs: 0 },
      ...options.sim,
    });
  }

  async start(): Promise<void> {
    const sim = await this.simulator.start();
    const { fleet } = this.options;
    if (!fleet) {
      await this.broker.start();
      this.peer = new FleetPeer(this.broker.url, rigLockerId, rigCodeKey);
      await this.peer.start();
    }
    const boards = this.options.boards ?? 2;
    const pattern = ['S', 'S', 'S', 'M', 'M', 'L', 'S', 'M'] as const;
    const sizes = this.options.sizes ?? Array.from({ length: boards * 16 }, (_, i) => pattern[i % 8] ?? 'S');
    const config: DeviceConfigInput = {
      lockerId: fleet?.lockerId ?? rigLockerId,
      municipality: fleet?.municipality ?? 'ieper',
      mode: 'development',
      bus: {
        protocol: 'cu16',
        transport: sim.tty!,
        boards: Array.from({ length: boards }, (_, address) => ({ address, locks: 16 })),
        timing: { pollIntervalMs: 100, unlockConfirmMs: 8000 },
      },
      compartments: sizes.map((size, i) => ({
        number: i + 1,
        board: Math.floor(i / 16),
        lock: (i % 16) + 1,
        size,
        itemSensor: this.options.itemSensors ?? true,
        position: {
          column: Math.floor(i / 4) + 1,
          row: (['top', 'upper', 'lower', 'bottom'] as const)[i % 4]!,
        },
      })),
      inputs: {
        keypad: { path: sim.keypadTty!, baudRate: 9600 },
        scanner: { path: sim.scannerTty!, baudRate: 9600 },
      },
      // tests restart brokers and fleets many times: a short ceiling keeps each reconnect within a few seconds
      fleet: {
        ...(fleet
          ? { url: fleet.url, username: fleet.lockerId, password: { env: 'LOCKER_FLEET_PASSWORD' } }
          : { url: this.broker.url }),
        reconnect: { maxMs: 2000 },
      },
      secrets: { codeKey: { env: 'LOCKER_CODE_KEY' }, auditKey: { env: 'LOCKER_AUDIT_KEY' } },
      store: { path: join(this.dir, 'device.db'), commissioned: this.options.commissioned ?? false },
      kiosk: { host: '127.0.0.1', port: this.options.kioskPort ?? 0 },
      timing: {
        doorReminderMs: 30_000,
        doorAlarmMs: 120_000,
        inactivityMs: 60_000,
        telemetryMs: 60_000,
        ...this.options.timing,
      },
      ...(this.options.lockout ? { lockout: this.options.lockout } : {}),
    };
    writeFileSync(this.configFile, JSON.stringify(config, null, 2));
  }

  /** `faults`: injected at the device's seams (a store that refuses writes, a low disk). */
  async startDeviceInProcess(faults: Pick<DeviceDeps, 'storeOptions' | 'freeBytes'> = {}): Promise<void> {
    this.inProcess = new Device({
      config: loadDeviceConfig(this.configFile),
      logger: pino({ level: process.env.LOCKER_TEST_LOG ?? 'silent' }),
      env: this.env(),
      io: this.io,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...faults,
      ...(this.options.speech ? { speech: this.options.speech } : {}),
    });
    this.kioskUrl = (await this.inProcess.start()).kioskUrl;
  }

  async startDeviceProcess(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cliSources.device, '--config', this.configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...this.env(), ...this.options.deviceEnv },
      },
    );
    this.child = child;
    this.childLog = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      this.childLog = (this.childLog + chunk.toString()).slice(-20_000);
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await Promise.race([
      once(lines, 'line').then(([line]) => line as string),
      once(child, 'exit').then(() => {
        throw new Error(`device exited before ready:\n${this.childLog}`);
      }),
    ]);
    this.kioskUrl = (JSON.parse(first) as { kioskUrl: string }).kioskUrl;
  }

  /** The secrets the device reads from its environment. */
  env(): Record<string, string> {
    const { fleet } = this.options;
    return fleet
      ? {
          LOCKER_CODE_KEY: fleet.codeKey,
          LOCKER_FLEET_PASSWORD: fleet.password,
          LOCKER_AUDIT_KEY: rigAuditKey,
        }
      : { LOCKER_CODE_KEY: rigCodeKey, LOCKER_AUDIT_KEY: rigAuditKey };
  }

  /** kill -9: no clean-up of any kind. */
  async killDevice(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.inProcess?.stop();
    await this.killDevice();
    await this.peer?.stop();
    if (!this.options.fleet) await this.broker.stop();
    await this.simulator.stop();
  }

  /** What the citizen does at a door: board/lock of compartment `number` (1…). */
  act(number: number, action: Parameters<Simulator['act']>[2]): void {
    this.simulator.act(Math.floor((number - 1) / 16), ((number - 1) % 16) + 1, action);
  }

  door(number: number) {
    return this.simulator.door(Math.floor((number - 1) / 16), ((number - 1) % 16) + 1).snapshot();
  }

  async screen(): Promise<{ seq: number; view: string; params: Record<string, unknown> }> {
    return (await fetch(`${this.kioskUrl}/api/screen`)).json() as never;
  }

  /** Types a line at the keypad or scanner and waits until the device has answered it on the screen. */
  async enter(input: 'keypad' | 'scanner', line: string, ms = 10_000) {
    const before = (await this.screen()).seq;
    await this.simulator.input(input, line);
    const deadline = Date.now() + ms;
    for (;;) {
      const screen = await this.screen();
      if (screen.seq > before) return screen;
      if (Date.now() > deadline) throw new Error(`no answer to "${line}" at the ${input} after ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Staff signs in with `staffPin` at the keypad and loads the next reservation; returns the compartment. */
  async loadNext(staffPin: string): Promise<number> {
    await this.peer.until(
      () => this.peer.deviceVersion >= this.peer.latestVersion,
      20_000,
      'changes applied',
    );
    await this.simulator.input('keypad', staffPin);
    await this.untilScreen('staff');
    const post = (action: string) =>
      fetch(`${this.kioskUrl}/api/staff/${action}`, { method: 'POST' }).then(
        (r) => r.json() as Promise<{ view: string; params: Record<string, unknown> }>,
      );
    const opened = await post('load_next');
    if (opened.view !== 'door_open') throw new Error(`load_next: ${JSON.stringify(opened)}`);
    const compartment = opened.params.compartment as number;
    this.act(compartment, 'put-item');
    this.act(compartment, 'close');
    await this.peer.until(
      () => this.peer.events.some((e) => e.type === 'loaded' && e.compartment === compartment),
      20_000,
      'loaded',
    );
    await post('end');
    return compartment;
  }

  async untilScreen(view: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const screen = await this.screen();
      if (screen.view === view) return screen;
      if (Date.now() > deadline)
        throw new Error(
          `screen is "${screen.view}" ${JSON.stringify(screen.params)}, not "${view}" after ${ms} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async untilDoor(number: number, open: boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.door(number).open !== open) {
      if (Date.now() > deadline)
        throw new Error(`door ${number} is not ${open ? 'open' : 'closed'} after ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
