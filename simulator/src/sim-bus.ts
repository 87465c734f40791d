import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { FrameParser, type FrameParserError, toHex } from '@locker/protocol';
import type { Logger } from 'pino';
import type { SimBoard, SimBoardProtocol } from './boards/index.ts';
import {
  type BusFaults,
  busFaultsSchema,
  collide,
  damageReply,
  damageRequest,
  noBusFaults,
} from './bus-faults.ts';
import { SimDoor } from './sim-door.ts';
import { TimerSet } from './timer-set.ts';

export interface SimBusOptions {
  protocol: SimBoardProtocol;
  boards: SimBoard[];
  random: () => number;
  logger: Logger;
  /** Line speed to pace the wire at; `null` answers as fast as the transport allows. */
  paceBaudRate: number | null;
  /** Board processing time between the last request byte and the first reply byte. */
  turnaroundMs: number;
}

export interface SimBusCounters {
  requests: number;
  replies: number;
  unlockCommands: number;
  badFrames: number;
  /** Request frames a board refused for a bad checksum. */
  checksumErrors: number;
  /** Bytes received from bus masters, before the fault model. */
  requestBytes: number;
  /** Request bytes lost or flipped by the fault model before any board saw them. */
  requestBytesDropped: number;
  requestBytesCorrupted: number;
}

export interface SimBusEvents {
  request: [{ bytes: Buffer; board: number | null }];
  reply: [{ bytes: Buffer }];
}

/** Milliseconds a frame of `byteCount` bytes takes on the wire at 8N1 (10 bits per byte). */
export function wireTimeMs(byteCount: number, baudRate: number): number {
  return (byteCount * 10 * 1000) / baudRate;
}

/**
 * The RS-485 bus as the boards see it: requests from any attached stream are framed, handed
 * to every board (the addressed ones act), and replies go back through the fault model, paced
 * at the line speed. Half duplex: the master must wait for the reply; the bus does not queue.
 */
export class SimBus extends EventEmitter<SimBusEvents> {
  readonly counters: SimBusCounters = {
    requests: 0,
    replies: 0,
    unlockCommands: 0,
    badFrames: 0,
    checksumErrors: 0,
    requestBytes: 0,
    requestBytesDropped: 0,
    requestBytesCorrupted: 0,
  };
  private faults: BusFaults = { ...noBusFaults };
  private readonly detachers = new Set<() => void>();
  private readonly timers = new TimerSet();
  private readonly conflictDoors = new Map<number, SimDoor[]>();
  /** When the last request finished arriving (wire time, device → boards). */
  private inboundFreeAt = 0;

  constructor(private readonly options: SimBusOptions) {
    super();
  }

  get boards(): readonly SimBoard[] {
    return this.options.boards;
  }

  currentFaults(): BusFaults {
    return structuredClone(this.faults);
  }

  /** Merges a partial fault set after validating it; throws a ZodError naming bad fields. */
  setFaults(partial: Partial<BusFaults>): BusFaults {
    this.faults = busFaultsSchema.parse({ ...this.faults, ...partial });
    return this.currentFaults();
  }

  clearFaults(): void {
    this.faults = { ...noBusFaults };
  }

  /** Connects a stream (pty side, TCP socket, in-process pipe) as a bus master. Returns a detach function. */
  attach(stream: Duplex): () => void {
    const parser = new FrameParser({ spec: this.options.protocol.requestSpec });
    parser.on('data', (frame: Buffer) => this.onRequest(frame, stream));
    parser.on('frame-error', (error: FrameParserError) => {
      this.counters.badFrames++;
      if (error.reason === 'checksum') this.counters.checksumErrors++;
    });
    const forward = (chunk: Buffer) => {
      this.counters.requestBytes += chunk.length;
      const damaged = damageRequest(chunk, this.faults, this.options.random);
      this.counters.requestBytesDropped += damaged.dropped;
      this.counters.requestBytesCorrupted += damaged.corrupted;
      if (damaged.bytes.length > 0) parser.write(Buffer.from(damaged.bytes));
    };
    stream.on('data', forward);
    const detach = () => {
      stream.off('data', forward);
      parser.destroy();
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  stop(): void {
    for (const detach of [...this.detachers]) detach();
    this.timers.clear();
    for (const board of this.options.boards) for (const door of board.doors) door.stop();
  }

  private onRequest(frame: Buffer, stream: Duplex): void {
    this.counters.requests++;
    const { paceBaudRate, turnaroundMs } = this.options;
    // Requests share one wire: a request written right behind another arrives after it.
    const now = performance.now();
    const arrivedAt =
      Math.max(now, this.inboundFreeAt) + (paceBaudRate ? wireTimeMs(frame.length, paceBaudRate) : 0);
    this.inboundFreeAt = arrivedAt;
    this.timers.later(arrivedAt - now + turnaroundMs, () => this.actOn(frame, stream));
  }

  private actOn(frame: Buffer, stream: Duplex): void {
    const replies: Buffer[] = [];
    let addressed: number | null = null;
    try {
      for (const board of this.options.boards) {
        if (this.faults.silentBoards.includes(board.address)) continue;
        const action = this.options.protocol.handle(board, frame);
        if (!action) continue;
        addressed = board.address;
        if (action.reply) replies.push(action.reply);
        const ghost = this.ghostReply(board, frame);
        if (ghost) replies.push(ghost);
      }
    } catch (error) {
      this.counters.badFrames++;
      this.options.logger.warn({ err: error, frame: toHex(frame) }, 'request frame rejected by board');
      return;
    }
    if (this.options.protocol.isUnlockRequest(frame)) this.counters.unlockCommands++;
    this.emit('request', { bytes: frame, board: addressed });
    const [first, ...others] = replies;
    if (!first) return;
    const onWire = others.reduce(collide, first);
    this.send(onWire, stream);
  }

  /** With an address conflict a second, unseen board answers too, from its own doors. */
  private ghostReply(board: SimBoard, frame: Buffer): Buffer | null {
    if (!this.faults.addressConflicts.includes(board.address)) return null;
    let doors = this.conflictDoors.get(board.address);
    if (!doors) {
      doors = board.doors.map(
        () => new SimDoor({ pulseMs: 0, springMs: 0, bounceMs: 0 }, this.options.random),
      );
      doors.forEach((door) => {
        door.forceOpen();
      });
      this.conflictDoors.set(board.address, doors);
    }
    const ghost: SimBoard = { ...board, doors };
    return this.options.protocol.handle(ghost, frame)?.reply ?? null;
  }

  private send(reply: Buffer, stream: Duplex): void {
    const bursts = damageReply(reply, this.faults, this.options.random);
    const { paceBaudRate } = this.options;
    const burstGap = this.faults.splitReplies?.delayMs ?? 0;
    let at = 0;
    for (const burst of bursts) {
      at += (paceBaudRate ? wireTimeMs(burst.length, paceBaudRate) : 0) + (at > 0 ? burstGap : 0);
      this.timers.later(at, () => {
        if (stream.writable && !stream.destroyed) stream.write(burst);
      });
    }
    this.counters.replies++;
    this.emit('reply', { bytes: reply });
  }
}
