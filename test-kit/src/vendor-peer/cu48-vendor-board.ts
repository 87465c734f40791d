import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortOpener } from '@locker/device';
import { seededRandom } from '@locker/simulator';
import { Cu48RequestScanner } from './cu48-request-scanner.ts';
import { Cu48VendorError } from './cu48-vendor-error.ts';
import { cu48Document, cu48StatusReply } from './cu48-vendor-frames.ts';

/**
 * Kerong CU48 boards in software, written only from the vendor's "CU48 Protocol And Introduction" v2.1
 * (frame rules and their pages: `cu48-vendor-frames.ts`), to test our lock bus against a board that does
 * not share our codec's guesses. Every rule below comes from that document:
 * - requests are 6 bytes with STX/ETX/SUM (p.3 §2.1); a frame that fails the check is ignored;
 * - ADDR 0x00–0x09 is one board, 0x0A is every board (p.3 §2.1); a board answers only its own address
 *   or the broadcast; on a broadcast status the boards answer one after another, lowest address first
 *   (p.5 §2.5.1 example 2);
 * - 0x50 get status → one 12-byte 0x65 reply (p.3–5 §2.2–2.4), in which a set bit is a LOCKED hook, a clear
 *   bit an unlocked one (p.3 §2.2, p.5 §2.5.1 d); `invertSensor` is the board the notice of p.4 warns
 *   about ("can be opposite … NO or NC"): there a set bit is an unlocked hook;
 * - 0x51 unlock: LOCKNUM 0x00 is lock 1, 0x30 every lock of the board; no reply at all (p.5 §2.3,
 *   p.6 §2.5.2); LOCKNUM above 0x30 is outside the document's range and ignored.
 * Not in the document (our model of a cabinet): an unlocked door springs open after `doorOpenDelayMs` and
 * stays open until the test closes it; the board answers `replyDelayMs` after a request.
 */
export const cu48VendorDefaults = {
  doorOpenDelayMs: 30,
  replyDelayMs: 2,
  invertSensor: false,
  /** Deliver each reply in two bursts: this many bytes, then the rest `splitDelayMs` later (0: one burst). */
  splitReplyAfterBytes: 0,
  splitDelayMs: 25,
  /** Chance per request byte that the board receives it with one bit flipped. */
  requestCorruptRate: 0,
  /** Chance per well-formed request that the board never receives it. */
  requestDropRate: 0,
  /** Chance per reply byte that one of its bits is flipped on the way back. */
  replyCorruptRate: 0,
  /** Chance per reply that it never arrives. */
  replyLossRate: 0,
  /** Commands are executed, every reply is lost. */
  executeButNeverReply: false,
  /** Boards powered off: they neither execute nor answer. */
  silent: false,
  seed: 1,
};

export type Cu48VendorSettings = typeof cu48VendorDefaults;
export type Cu48VendorFaults = Omit<Cu48VendorSettings, 'doorOpenDelayMs' | 'replyDelayMs' | 'seed'>;

export interface Cu48VendorOptions extends Partial<Cu48VendorSettings> {
  /** The boards' DIP addresses, 0x00–0x09 (p.3 §2.2), all on one bus. */
  addresses: number[];
  /** Opens the board side of the bus: a socat pty end, a socket. */
  openPort: PortOpener;
}

/** What became of a frame the boards' receiver saw. */
export type FrameFate =
  | 'executed'
  | 'lost'
  | 'rejected'
  | 'not-addressed'
  | 'unknown-command'
  | 'powered-off';

export interface ReceivedFrame {
  /** `performance.now()` when the chunk holding the frame's last byte arrived. */
  at: number;
  bytes: Buffer;
  fate: FrameFate;
}

export interface Cu48VendorStats {
  requestBytesCorrupted: number;
  requestsLost: number;
  repliesSent: number;
  repliesLost: number;
  replyBytesCorrupted: number;
  portErrors: number;
}

interface BoardState {
  doors: ('closed' | 'open')[];
  unlocksExecuted: number[];
  opening: Map<number, NodeJS.Timeout>;
}

const timeouts = { portCloseMs: 2000 } as const;

function checkRates(faults: Partial<Cu48VendorFaults>): void {
  const rates = ['requestCorruptRate', 'requestDropRate', 'replyCorruptRate', 'replyLossRate'] as const;
  for (const rate of rates) {
    const value = faults[rate];
    if (value !== undefined && !(value >= 0 && value <= 1))
      throw new Cu48VendorError('CU48_PEER_BAD_OPTIONS', `${rate} ${value}`);
  }
}

export class Cu48VendorBoards {
  private settings: Cu48VendorSettings = { ...cu48VendorDefaults };
  private readonly boards = new Map<number, BoardState>();
  private readonly scanner = new Cu48RequestScanner();
  private readonly received: ReceivedFrame[] = [];
  private readonly counts: Cu48VendorStats = {
    requestBytesCorrupted: 0,
    requestsLost: 0,
    repliesSent: 0,
    repliesLost: 0,
    replyBytesCorrupted: 0,
    portErrors: 0,
  };
  private random: () => number = Math.random;
  private port: Duplex | undefined;
  private outgoing: Promise<void> = Promise.resolve();
  private stopping = new AbortController();

  constructor(private readonly options: Cu48VendorOptions) {}

  async start(): Promise<void> {
    const { addresses, openPort, ...settings } = this.options;
    const unique = new Set(addresses);
    if (
      unique.size !== addresses.length ||
      addresses.some((a) => !(a >= 0 && a <= cu48Document.maxBoardAddress))
    )
      throw new Cu48VendorError('CU48_PEER_BAD_OPTIONS', `addresses ${JSON.stringify(addresses)}`);
    checkRates(settings);
    this.settings = { ...cu48VendorDefaults, ...settings };
    this.random = seededRandom(this.settings.seed);
    for (const address of [...unique].sort((a, b) => a - b)) {
      this.boards.set(address, {
        doors: Array.from({ length: cu48Document.locksPerBoard }, () => 'closed'),
        unlocksExecuted: Array.from({ length: cu48Document.locksPerBoard }, () => 0),
        opening: new Map(),
      });
    }
    this.stopping = new AbortController();
    this.port = await openPort();
    this.port.on('data', (chunk: Buffer) => this.receive(chunk));
    this.port.on('error', () => this.counts.portErrors++);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const board of this.boards.values()) for (const timer of board.opening.values()) clearTimeout(timer);
    const port = this.port;
    this.port = undefined;
    if (!port || port.destroyed) return;
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, timeouts.portCloseMs);
      port.once('close', () => {
        clearTimeout(giveUp);
        resolve();
      });
      port.destroy();
    });
  }

  /** Changes fault knobs at once (e.g. replies lost from now on). */
  setFaults(faults: Partial<Cu48VendorFaults>): void {
    checkRates(faults);
    this.settings = { ...this.settings, ...faults };
  }

  /** The door is pushed shut: its hook locks. */
  close(address: number, lock: number): void {
    const board = this.board(address, lock);
    clearTimeout(board.opening.get(lock));
    board.opening.delete(lock);
    board.doors[lock - 1] = 'closed';
  }

  /** The door is opened with no command (a key, a crowbar): not an executed unlock. */
  openByHand(address: number, lock: number): void {
    this.board(address, lock).doors[lock - 1] = 'open';
  }

  isOpen(address: number, lock: number): boolean {
    return this.board(address, lock).doors[lock - 1] === 'open';
  }

  /** Unlock commands this lock's coil executed (a 0x30 "all locks" command counts for each lock). */
  unlocksExecuted(address: number, lock: number): number {
    return this.board(address, lock).unlocksExecuted[lock - 1]!;
  }

  /** Every frame the boards' receiver saw, in order of arrival. */
  frames(): readonly ReceivedFrame[] {
    return this.received;
  }

  stats(): Cu48VendorStats {
    return { ...this.counts };
  }

  private board(address: number, lock: number): BoardState {
    const board = this.boards.get(address);
    if (!board || !(lock >= 1 && lock <= cu48Document.locksPerBoard))
      throw new Cu48VendorError('CU48_PEER_UNKNOWN_LOCK', `board ${address} lock ${lock}`);
    return board;
  }

  private receive(chunk: Buffer): void {
    const at = performance.now();
    const bytes = this.corrupt(chunk, this.settings.requestCorruptRate);
    this.counts.requestBytesCorrupted += bytes.flipped;
    for (const scanned of this.scanner.push(bytes.out)) {
      if (scanned.kind === 'rejected') this.received.push({ at, bytes: scanned.bytes, fate: 'rejected' });
      else this.received.push({ at, bytes: scanned.bytes, fate: this.handle(scanned.bytes) });
    }
  }

  private handle(request: Buffer): FrameFate {
    if (this.settings.silent) return 'powered-off';
    if (this.random() < this.settings.requestDropRate) {
      this.counts.requestsLost++;
      return 'lost';
    }
    const [, address = 0, lockByte = 0, command] = request;
    const targets =
      address === cu48Document.broadcastAddress
        ? [...this.boards.keys()]
        : this.boards.has(address)
          ? [address]
          : [];
    if (targets.length === 0) return 'not-addressed';
    if (lockByte > cu48Document.allLocks) return 'unknown-command';
    if (command === cu48Document.commands.getStatus) {
      for (const target of targets) this.reply(cu48StatusReply(target, this.sensorBits(target)));
      return 'executed';
    }
    if (command === cu48Document.commands.unlock) {
      for (const target of targets) this.unlock(target, lockByte);
      return 'executed';
    }
    return 'unknown-command';
  }

  private unlock(address: number, lockByte: number): void {
    const locks =
      lockByte === cu48Document.allLocks
        ? Array.from({ length: cu48Document.locksPerBoard }, (_, i) => i + 1)
        : [lockByte + 1];
    const board = this.boards.get(address)!;
    for (const lock of locks) {
      board.unlocksExecuted[lock - 1]!++;
      if (board.doors[lock - 1] === 'open' || board.opening.has(lock)) continue;
      const timer = setTimeout(() => {
        board.opening.delete(lock);
        board.doors[lock - 1] = 'open';
      }, this.settings.doorOpenDelayMs);
      board.opening.set(lock, timer);
    }
  }

  /** p.3 §2.2: a set bit is a locked hook (a shut door), unless the board's switch is the other kind. */
  private sensorBits(address: number): boolean[] {
    return this.boards.get(address)!.doors.map((door) => (door === 'closed') !== this.settings.invertSensor);
  }

  private reply(frame: Buffer): void {
    if (this.settings.executeButNeverReply || this.random() < this.settings.replyLossRate) {
      this.counts.repliesLost++;
      return;
    }
    const corrupted = this.corrupt(frame, this.settings.replyCorruptRate);
    this.counts.replyBytesCorrupted += corrupted.flipped;
    this.outgoing = this.outgoing.then(() => this.deliver(corrupted.out));
  }

  private async deliver(frame: Buffer): Promise<void> {
    const { replyDelayMs, splitReplyAfterBytes, splitDelayMs } = this.settings;
    const signal = this.stopping.signal;
    try {
      await sleep(replyDelayMs, undefined, { signal });
      const cut = splitReplyAfterBytes > 0 && splitReplyAfterBytes < frame.length ? splitReplyAfterBytes : 0;
      if (cut > 0) {
        this.port?.write(frame.subarray(0, cut));
        await sleep(splitDelayMs, undefined, { signal });
        this.port?.write(frame.subarray(cut));
      } else {
        this.port?.write(frame);
      }
      this.counts.repliesSent++;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  private corrupt(bytes: Buffer, rate: number): { out: Buffer; flipped: number } {
    if (rate === 0) return { out: bytes, flipped: 0 };
    const out = Buffer.from(bytes);
    let flipped = 0;
    for (let i = 0; i < out.length; i++) {
      if (this.random() >= rate) continue;
      out[i]! ^= 1 << Math.floor(this.random() * 8);
      flipped++;
    }
    return { out, flipped };
  }
}
