import type { Duplex } from 'node:stream';
import {
  BoardLockBus,
  type DoorEvent,
  type LockBoardProtocol,
  type LockBusConfigInput,
  type LockBusFault,
} from '@locker/device';
import { Simulator, type SimulatorOptionsInput } from '@locker/simulator';
import pino from 'pino';

export type HarnessTransport = 'in-process' | 'pty' | 'tcp';

export interface HarnessOptions {
  protocol: LockBoardProtocol;
  transport: HarnessTransport;
  boards?: number;
  locks?: number;
  timing?: LockBusConfigInput['timing'];
  sim?: Partial<SimulatorOptionsInput>;
  /** Boards the device is configured for but the simulator does not have. */
  extraBoards?: number[];
  /** Extra settings for every configured board (dialect, polarityConfirmed). */
  board?: Omit<LockBusConfigInput['boards'][number], 'address' | 'locks'>;
}

/** Timings short enough for tests, long enough for a loaded 2-core CI machine. */
export const testTiming = {
  pollIntervalMs: 40,
  fastPollIntervalMs: 5,
  offlineRetryMs: 100,
  offlineAfterMs: 300,
  statusReplyTimeoutMs: 150,
  unlockReplyTimeoutMs: 200,
  // long enough for a loaded CI machine to read the door back; a jam test waits it out once
  unlockConfirmMs: 3000,
  unlockGapMs: 10,
  coilPulseMs: 20,
  reconnectMinMs: 20,
  reconnectMaxMs: 200,
} as const;

/** A simulator and a device lock bus wired together over the chosen transport; events recorded. */
export class SimHarness {
  readonly doorEvents: DoorEvent[] = [];
  readonly faults: LockBusFault[] = [];
  simulator!: Simulator;
  bus!: BoardLockBus;
  private inProcess: Duplex | undefined;

  constructor(private readonly options: HarnessOptions) {}

  async start(): Promise<this> {
    const { protocol, transport } = this.options;
    this.simulator = new Simulator({
      protocol,
      boards: this.options.boards ?? 1,
      locks: this.options.locks,
      pty: transport === 'pty',
      tcpPort: transport === 'tcp' ? 0 : null,
      controlPort: null,
      physics: { springMs: 10, pulseMs: 100, bounceMs: 120 },
      ...this.options.sim,
    });
    const addresses = await this.simulator.start();
    const first = protocol === 'xor8a' || protocol === 'modbus-rtu' ? 1 : 0;
    const locks = this.options.locks ?? { cu48: 48, cu16: 16, xor8a: 24, 'modbus-rtu': 16 }[protocol];
    const addressesOnBus = Array.from({ length: this.options.boards ?? 1 }, (_, i) => first + i);
    const config: LockBusConfigInput = {
      protocol,
      transport:
        transport === 'tcp' ? `tcp://127.0.0.1:${addresses.tcpPort}` : (addresses.tty ?? 'in-process'),
      boards: [...addressesOnBus, ...(this.options.extraBoards ?? [])].map((address) => ({
        address,
        locks,
        ...this.options.board,
      })),
      timing: { ...testTiming, ...this.options.timing },
    };
    const logger = pino({ level: process.env.LOCKER_TEST_LOG ?? 'silent' });
    const openPort =
      transport === 'in-process'
        ? async () => {
            this.inProcess = this.simulator.connectInProcess();
            return this.inProcess;
          }
        : undefined;
    this.bus = BoardLockBus.fromConfig(config, { logger, ...(openPort ? { openPort } : {}) });
    this.bus.on('door', (event) => this.doorEvents.push(event));
    this.bus.on('fault', (fault) => this.faults.push(fault));
    await this.bus.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.bus?.stop();
    await this.simulator?.stop();
  }

  /** Resolves when `predicate` holds, polling every 5 ms; rejects after `timeoutMs` naming `what`. */
  async until(what: string, predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  eventsFor(board: number, lock: number): DoorEvent[] {
    return this.doorEvents.filter((event) => event.board === board && event.lock === lock);
  }
}
