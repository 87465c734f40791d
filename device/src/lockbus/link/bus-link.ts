import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameParser, type FrameParserError, type FrameSpec, toHex } from '@locker/protocol';
import type { Logger } from 'pino';
import { LinkError } from './link-error.ts';
import { errorCode, type PortOpener, reconnectableCodes } from './port-opener.ts';

const timeouts = { portCloseMs: 1000 } as const;

/** A serial port's `drain` (waits until the OS has sent the output); TCP sockets and plain streams have none. */
interface Drainable {
  drain(callback: (error: Error | null) => void): void;
}

export interface BusLinkOptions {
  openPort: PortOpener;
  replySpec: FrameSpec;
  /** Quiet time between the last byte of one exchange on the wire and the next request. */
  interFrameGapMs: number;
  /** Line speed: a frame's own time on the wire is counted after the port has drained it. */
  baudRate: number;
  /** Quiet time that ends a reply, and that the link waits for after a failed exchange. */
  silenceMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Opening the port takes longer than this: give up and retry (a USB adapter half gone). */
  portOpenTimeoutMs: number;
  /** Write plus drain takes longer than this: the adapter is gone; the port is reopened. */
  portWriteTimeoutMs: number;
  logger: Logger;
}

/** One request on the half-duplex bus, and how to recognise its reply (`null`: the board never answers). */
export interface Exchange {
  name: string;
  request: Buffer;
  reply: { matches: (frame: Buffer) => boolean; timeoutMs: number } | null;
  priority: 'high' | 'normal';
  kind: 'unlock' | 'status';
  /** Called once the request's bytes have left the wire. */
  onWire?: (wire: WireTiming) => void;
}

/** Monotonic times (`performance.now()`) of one request on the wire. */
export interface WireTiming {
  /** The port reported its output drained (`drain`; the write callback where a stream has none). */
  drainedAt: number;
  /** `drainedAt` plus the frame's own time at the line speed: the last byte has surely left. */
  wireEndAt: number;
}

/** Trace of every request that left the wire, for tests and diagnostics. */
export interface WireEvent extends WireTiming {
  exchange: string;
  kind: Exchange['kind'];
  bytes: number;
}

/** 8N1: ten bit times per byte. */
export function frameTimeMs(bytes: number, baudRate: number): number {
  return (bytes * 10 * 1000) / baudRate;
}

export interface BusLinkCounters {
  requests: number;
  timeouts: number;
  unexpectedFrames: number;
  reconnects: number;
  writeErrors: number;
  writeTimeouts: number;
  openTimeouts: number;
  checksumErrors: number;
  structureErrors: number;
  resyncs: number;
  discardedBytes: number;
}

interface Job {
  exchange: Exchange;
  resolve: (reply: Buffer | null) => void;
  reject: (error: LinkError) => void;
}

interface Waiter {
  matches: (frame: Buffer) => boolean;
  resolve: (frame: Buffer) => void;
  reject: (error: LinkError) => void;
}

export type LinkState = 'closed' | 'opening' | 'open' | 'failed' | 'stopped';

/**
 * The driver layer: owns the port, frames replies, and runs one exchange on the wire at a time
 * (high priority first), keeping an inter-frame gap after the last byte left the wire (drained plus
 * the frame's time at the line speed). The reply timer starts after the write. Times are monotonic.
 * After a failed exchange it waits for silence and flushes. It reopens a broken port with
 * backoff, except after EACCES (state `failed`: fix permissions, then restart).
 */
export class BusLink extends EventEmitter<{ state: [LinkState]; wire: [WireEvent] }> {
  private port: Duplex | undefined;
  private parser: FrameParser | undefined;
  private linkState: LinkState = 'closed';
  private readonly queue: Job[] = [];
  private busy = false;
  private waiter: Waiter | undefined;
  private lastActivityAt = 0;
  private reconnectDelayMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private openedOnce = false;
  private readonly linkCounters = {
    requests: 0,
    timeouts: 0,
    unexpectedFrames: 0,
    reconnects: 0,
    writeErrors: 0,
    writeTimeouts: 0,
    openTimeouts: 0,
  };
  private readonly parserTotals = { checksumErrors: 0, structureErrors: 0, resyncs: 0, discardedBytes: 0 };

  constructor(private readonly options: BusLinkOptions) {
    super();
    this.reconnectDelayMs = options.reconnectMinMs;
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Opens the port once; when that fails the link keeps retrying in the background. */
  async start(): Promise<void> {
    this.setState('closed');
    await this.open();
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const job of this.queue.splice(0))
      job.reject(new LinkError('LINK_STOPPED', `${job.exchange.name}: link stopped`, false));
    await this.closePort();
  }

  counters(): BusLinkCounters {
    const live = this.parser?.counters;
    return {
      ...this.linkCounters,
      checksumErrors: this.parserTotals.checksumErrors + (live?.checksumErrors ?? 0),
      structureErrors: this.parserTotals.structureErrors + (live?.structureErrors ?? 0),
      resyncs: this.parserTotals.resyncs + (live?.resyncs ?? 0),
      discardedBytes: this.parserTotals.discardedBytes + (live?.discardedBytes ?? 0),
    };
  }

  /** Queues an exchange; resolves with the reply frame (or `null` when none is expected). */
  exchange(exchange: Exchange): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      if (this.linkState === 'stopped') {
        reject(new LinkError('LINK_STOPPED', `${exchange.name}: link stopped`, false));
        return;
      }
      const job = { exchange, resolve, reject };
      if (exchange.priority === 'high') {
        const firstNormal = this.queue.findIndex((queued) => queued.exchange.priority === 'normal');
        this.queue.splice(firstNormal === -1 ? this.queue.length : firstNormal, 0, job);
      } else {
        this.queue.push(job);
      }
      void this.runQueue();
    });
  }

  private async runQueue(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          job.resolve(await this.run(job.exchange));
        } catch (error) {
          job.reject(error as LinkError);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(exchange: Exchange): Promise<Buffer | null> {
    const gap = this.lastActivityAt + this.options.interFrameGapMs - performance.now();
    if (gap > 0) await sleep(gap);
    const port = this.port;
    if (this.linkState !== 'open' || !port) {
      throw new LinkError('LINK_NOT_OPEN', `${exchange.name}: bus port is ${this.linkState}`, false);
    }
    this.parser?.reset();
    this.linkCounters.requests++;
    const replyPromise = exchange.reply ? this.waitFor(exchange.reply.matches) : null;
    // a bad frame may end the wait before the write has finished: handled by the race below
    replyPromise?.catch(() => undefined);
    try {
      await this.write(port, exchange.request, exchange.name);
      const drainedAt = performance.now();
      const wire = {
        drainedAt,
        wireEndAt: drainedAt + frameTimeMs(exchange.request.length, this.options.baudRate),
      };
      this.lastActivityAt = Math.max(this.lastActivityAt, wire.wireEndAt);
      exchange.onWire?.(wire);
      this.emit('wire', {
        ...wire,
        exchange: exchange.name,
        kind: exchange.kind,
        bytes: exchange.request.length,
      });
      this.options.logger.trace(
        { exchange: exchange.name, tx: lazyHex(exchange.request) },
        'request written',
      );
      if (!replyPromise || !exchange.reply) return null;
      const reply = await this.withTimeout(replyPromise, exchange.reply.timeoutMs, exchange.name);
      this.options.logger.trace({ exchange: exchange.name, rx: lazyHex(reply) }, 'reply received');
      return reply;
    } catch (error) {
      this.waiter = undefined;
      await this.settleAfterFailure();
      throw error;
    } finally {
      this.waiter = undefined;
      this.lastActivityAt = Math.max(this.lastActivityAt, performance.now());
    }
  }

  /**
   * Writes and drains within `portWriteTimeoutMs`. A write whose callback never comes (adapter
   * pulled mid-write) would hold the bus for good: it fails with LINK_WRITE_TIMEOUT and the port
   * is reopened.
   */
  private async write(port: Duplex, bytes: Buffer, name: string): Promise<void> {
    const timeoutMs = this.options.portWriteTimeoutMs;
    try {
      await this.bounded(this.writeAndDrain(port, bytes, name), timeoutMs, () => {
        this.linkCounters.writeTimeouts++;
        return new LinkError(
          'LINK_WRITE_TIMEOUT',
          `${name}: write and drain took over ${timeoutMs} ms`,
          true,
        );
      });
    } catch (error) {
      if (error instanceof LinkError && error.code === 'LINK_WRITE_TIMEOUT' && this.port === port) {
        this.handlePortFailure(Object.assign(new Error(error.message), { code: 'ETIMEDOUT' }), 'port');
      }
      throw error;
    }
  }

  /** `operation`, or the error made by `onTimeout` after `timeoutMs`; a late result is dropped (a late port destroyed). */
  private bounded<T>(operation: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(onTimeout());
      }, timeoutMs);
      operation.then(
        (value) => {
          clearTimeout(timer);
          if (!timedOut) resolve(value);
          else if (value instanceof Duplex) value.destroy();
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!timedOut) reject(error);
        },
      );
    });
  }

  /** Writes and waits until the port has drained its output (serialport's `drain`: tcdrain). */
  private writeAndDrain(port: Duplex, bytes: Buffer, name: string): Promise<void> {
    const failed = (error: Error) => {
      this.linkCounters.writeErrors++;
      return new LinkError('LINK_WRITE_FAILED', `${name}: write failed: ${error.message}`, true, {
        cause: error,
      });
    };
    return new Promise((resolve, reject) => {
      port.write(bytes, (error) => {
        if (error) return reject(failed(error));
        const drain = (port as Partial<Drainable>).drain;
        if (typeof drain !== 'function') return resolve();
        drain.call(port, (drainError) => (drainError ? reject(failed(drainError)) : resolve()));
      });
    });
  }

  private waitFor(matches: (frame: Buffer) => boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiter = { matches, resolve, reject };
    });
  }

  /**
   * A reply with a bad checksum ends the wait at once instead of costing the whole timeout. Deferred
   * a turn: a good frame in the same chunk (the start byte hid inside the bad one) still wins.
   */
  private onBadFrame(error: FrameParserError): void {
    const waiter = this.waiter;
    if (error.reason !== 'checksum' || !waiter) return;
    setImmediate(() => {
      if (this.waiter !== waiter) return;
      this.waiter = undefined;
      waiter.reject(
        new LinkError('LINK_BAD_FRAME', `reply failed its checksum (dropped ${toHex(error.bytes)})`, true),
      );
    });
  }

  private withTimeout(reply: Promise<Buffer>, timeoutMs: number, name: string): Promise<Buffer> {
    let timer: NodeJS.Timeout | undefined;
    let onState: ((state: LinkState) => void) | undefined;
    const failure = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.linkCounters.timeouts++;
        reject(new LinkError('LINK_REPLY_TIMEOUT', `${name}: no reply within ${timeoutMs} ms`, true));
      }, timeoutMs);
      onState = (state) => {
        if (state !== 'open')
          reject(new LinkError('LINK_PORT_CLOSED', `${name}: port closed while waiting`, true));
      };
      this.on('state', onState);
    });
    return Promise.race([reply, failure]).finally(() => {
      clearTimeout(timer);
      if (onState) this.off('state', onState);
    });
  }

  /** After a timeout or bad reply: wait until the line is quiet, then drop what was received. */
  private async settleAfterFailure(): Promise<void> {
    const { silenceMs } = this.options;
    const deadline = performance.now() + silenceMs * 20;
    while (performance.now() - this.lastActivityAt < silenceMs && performance.now() < deadline)
      await sleep(silenceMs);
    this.parser?.reset();
  }

  private onFrame(frame: Buffer): void {
    const waiter = this.waiter;
    if (waiter?.matches(frame)) {
      this.waiter = undefined;
      waiter.resolve(frame);
      return;
    }
    this.linkCounters.unexpectedFrames++;
    this.options.logger.debug({ rx: lazyHex(frame) }, 'frame with no request waiting for it');
  }

  private async open(): Promise<void> {
    if (this.linkState === 'stopped' || this.linkState === 'open' || this.linkState === 'opening') return;
    this.setState('opening');
    try {
      const port = await this.bounded(this.options.openPort(), this.options.portOpenTimeoutMs, () => {
        this.linkCounters.openTimeouts++;
        return Object.assign(new Error(`port open took over ${this.options.portOpenTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        });
      });
      if ((this.linkState as LinkState) === 'stopped') {
        port.destroy();
        return;
      }
      this.attach(port);
      if (this.openedOnce) this.linkCounters.reconnects++;
      this.openedOnce = true;
      this.reconnectDelayMs = this.options.reconnectMinMs;
      this.setState('open');
      this.options.logger.info('bus port open');
    } catch (error) {
      this.handlePortFailure(error, 'open');
    }
  }

  private attach(port: Duplex): void {
    const parser = new FrameParser({ spec: this.options.replySpec, silenceMs: this.options.silenceMs });
    parser.on('data', (frame: Buffer) => this.onFrame(frame));
    parser.on('frame-error', (error: FrameParserError) => {
      this.options.logger.debug(
        { reason: error.reason, bytes: lazyHex(error.bytes) },
        'bytes dropped by parser',
      );
      this.onBadFrame(error);
    });
    port.on('data', (chunk: Buffer) => {
      this.lastActivityAt = performance.now();
      parser.write(chunk);
    });
    port.on('error', (error) => {
      if (this.port === port) this.handlePortFailure(error, 'port');
    });
    port.on('close', () => {
      if (this.port === port)
        this.handlePortFailure(Object.assign(new Error('port closed'), { code: 'EIO' }), 'close');
    });
    this.port = port;
    this.parser = parser;
  }

  private handlePortFailure(error: unknown, where: 'open' | 'port' | 'close'): void {
    if (this.linkState === 'stopped') return;
    const code = errorCode(error);
    void this.closePort();
    if (code === 'EACCES' || (code !== undefined && !reconnectableCodes.has(code) && where === 'open')) {
      this.setState('failed');
      this.options.logger.error(
        { err: error, code },
        code === 'EACCES'
          ? 'bus port access denied: add the service user to the dialout group, then restart'
          : 'bus port cannot be opened; check the transport setting',
      );
      return;
    }
    this.setState('closed');
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, this.options.reconnectMaxMs);
    this.options.logger.warn({ err: error, code, retryInMs: delay }, `bus port ${where} failed; reopening`);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.open();
    }, delay);
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    const parser = this.parser;
    this.port = undefined;
    this.parser = undefined;
    if (parser) {
      for (const key of Object.keys(this.parserTotals) as (keyof typeof this.parserTotals)[]) {
        this.parserTotals[key] += parser.counters[key];
      }
      parser.destroy();
    }
    if (!port || port.destroyed) return;
    port.removeAllListeners('data');
    // destroy() alone emits 'close' but leaves a serial port's fd (and its lock) open: close first
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeouts.portCloseMs);
      timer.unref();
      port.on('error', () => undefined);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (typeof (port as { close?: unknown }).close === 'function' && (port as { isOpen?: boolean }).isOpen)
        (port as unknown as { close(cb: () => void): void }).close(done);
      else {
        port.once('close', done);
        port.destroy();
      }
    });
    if (!port.destroyed) port.destroy();
  }

  private setState(state: LinkState): void {
    if (this.linkState === state) return;
    this.linkState = state;
    this.emit('state', state);
  }
}

/** Hex built only when the log line is written. */
function lazyHex(bytes: Buffer): { toJSON(): string } {
  return { toJSON: () => toHex(bytes) };
}
