import {
  BoardLockBus,
  type DoorEvent,
  LockBusError,
  type LockBusFault,
  portOpenerFor,
  type UnlockResult,
} from '@locker/device';
import { PtyPair } from '@locker/simulator';
import pino from 'pino';
import { Cu48VendorBoards, type Cu48VendorOptions } from './cu48-vendor-board.ts';
import { cu48Document } from './cu48-vendor-frames.ts';

export type UnlockOutcome =
  | { lock: number; resolved: true; result: UnlockResult; peerDoorOpen: boolean; peerExecuted: number }
  | {
      lock: number;
      resolved: false;
      code: string | undefined;
      sent: string | undefined;
      typed: boolean;
      peerDoorOpen: boolean;
    };

export interface OutcomeTally {
  unlocks: number;
  confirmed: number;
  /** Resolved as opened while the vendor board's door is shut or its coil never fired. */
  falseOpens: number;
  /** Rejected while the vendor board had opened the door (e.g. reported jammed with the door hanging open). */
  failedWithDoorOpen: number;
  /** Locks whose coil the vendor board fired more than once. */
  doorsOpenedTwice: number;
  /** Unlock frames the driver wrote beyond one per unlock call. */
  resent: number;
  errorCodes: Record<string, number>;
  untypedErrors: number;
}

/**
 * Our real `BoardLockBus` (shipped defaults, only the transport set) on a real socat pty pair, with
 * the vendor-document CU48 peer on the other end.
 */
export class VendorRig {
  readonly pty = new PtyPair();
  readonly faults: LockBusFault[] = [];
  readonly doors: DoorEvent[] = [];
  peer!: Cu48VendorBoards;
  bus!: BoardLockBus;

  constructor(private readonly peerOptions: Omit<Cu48VendorOptions, 'openPort'>) {}

  async start(): Promise<this> {
    await this.pty.start();
    this.peer = new Cu48VendorBoards({
      ...this.peerOptions,
      openPort: portOpenerFor(this.pty.simPath, cu48Document.baudRate),
    });
    await this.peer.start();
    this.bus = BoardLockBus.fromConfig(
      {
        protocol: 'cu48',
        transport: this.pty.devicePath,
        boards: this.peerOptions.addresses.map((address) => ({ address, locks: cu48Document.locksPerBoard })),
      },
      { logger: pino({ level: 'silent' }) },
    );
    this.bus.on('fault', (fault) => this.faults.push(fault));
    this.bus.on('door', (event) => this.doors.push(event));
    await this.bus.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.bus?.stop();
    await this.peer?.stop();
    await this.pty.stop();
  }

  /** Unlocks every lock of board `board` at once (the bus sequences them) and records each outcome. */
  async unlockAll(board: number, locks: number[]): Promise<UnlockOutcome[]> {
    return Promise.all(
      locks.map(async (lock): Promise<UnlockOutcome> => {
        try {
          const result = await this.bus.unlock({ board, lock });
          return {
            lock,
            resolved: true,
            result,
            peerDoorOpen: this.peer.isOpen(board, lock),
            peerExecuted: this.peer.unlocksExecuted(board, lock),
          };
        } catch (error) {
          const typed = error instanceof LockBusError;
          return {
            lock,
            resolved: false,
            code: typed ? error.code : undefined,
            sent: typed ? error.sent : undefined,
            typed,
            peerDoorOpen: this.peer.isOpen(board, lock),
          };
        }
      }),
    );
  }

  tally(board: number, outcomes: UnlockOutcome[]): OutcomeTally {
    const errorCodes: Record<string, number> = {};
    for (const outcome of outcomes) {
      if (!outcome.resolved)
        errorCodes[outcome.code ?? 'untyped'] = (errorCodes[outcome.code ?? 'untyped'] ?? 0) + 1;
    }
    const executed = Array.from({ length: cu48Document.locksPerBoard }, (_, i) =>
      this.peer.unlocksExecuted(board, i + 1),
    );
    return {
      unlocks: outcomes.length,
      confirmed: outcomes.filter((o) => o.resolved).length,
      falseOpens: outcomes.filter((o) => o.resolved && !(o.peerDoorOpen && o.peerExecuted > 0)).length,
      failedWithDoorOpen: outcomes.filter((o) => !o.resolved && o.peerDoorOpen).length,
      doorsOpenedTwice: executed.filter((count) => count > 1).length,
      resent: Math.max(0, this.bus.counters().unlocksSent - outcomes.length),
      errorCodes,
      untypedErrors: outcomes.filter((o) => !o.resolved && !o.typed).length,
    };
  }

  /** Peer-side arrival times of the unlock frames the boards executed, and the gaps between them. */
  unlockArrivals(): { count: number; gapsMs: number[] } {
    const times = this.peer
      .frames()
      .filter((f) => f.fate === 'executed' && f.bytes[3] === cu48Document.commands.unlock)
      .map((f) => f.at);
    return {
      count: times.length,
      gapsMs: times.slice(1).map((t, i) => Math.round((t - times[i]!) * 10) / 10),
    };
  }

  /** What the driver wrote, as the vendor board's receiver saw it: one hex string per frame, with its fate. */
  frameLog(limit: number): string[] {
    return this.peer
      .frames()
      .slice(0, limit)
      .map((f) => `${f.bytes.toString('hex').replace(/(..)/g, '$1 ').trim()} ${f.fate}`);
  }
}
