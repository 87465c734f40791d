import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { isWellFormedCode } from './code-line.ts';

const timeouts = { reopenMs: 2000 } as const;
/** Longer than any code (a QR line is at most 198 characters); a longer line is dropped whole. */
const limits = { maxLineChars: 256 } as const;
/** The keypad's tactile key that asks for the screen to be spoken (EN 301 549 §5.1). */
const speakKey = '*';

export interface LineInputCounters {
  /** Lines dropped as reader noise: not printable, not shaped like a code, or over-long. */
  readerErrors: number;
}

/**
 * A keypad or QR scanner in serial/CDC mode: each code arrives as one line (CR, LF or both).
 * Only lines shaped like a code are handed on; noise and over-long lines (up to their line end,
 * tail included) are dropped and counted as reader errors, so they never count as wrong codes.
 * A lone `*` asks for speech (`speak`). The port is reopened when it goes away.
 */
export class SerialLineInput extends EventEmitter<{ line: [string]; speak: [] }> {
  private port: SerialPort | undefined;
  private reopen: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The unterminated start of the next line. */
  private pending = '';
  /** The current line is over-long: everything up to its line end is dropped. */
  private discarding = false;
  readonly counters: LineInputCounters = { readerErrors: 0 };

  constructor(
    private readonly options: { name: 'keypad' | 'scanner'; path: string; baudRate: number },
    private readonly logger: Logger,
  ) {
    super();
  }

  get name(): 'keypad' | 'scanner' {
    return this.options.name;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.open().catch((error) => {
      this.logger.warn(
        { input: this.options.name, path: this.options.path, err: error },
        'input not available; retrying',
      );
      this.scheduleReopen();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reopen);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private async open(): Promise<void> {
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    this.port = port;
    this.pending = '';
    this.discarding = false;
    port.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
    port.on('close', () => {
      if (!this.stopped) {
        this.logger.warn({ input: this.options.name }, 'input port closed; reopening');
        this.scheduleReopen();
      }
    });
    port.on('error', (error) =>
      this.logger.warn({ input: this.options.name, err: error }, 'input port error'),
    );
  }

  private receive(text: string): void {
    const pieces = text.split(/\r\n|\r|\n/);
    const rest = pieces.pop() ?? '';
    for (const piece of pieces) {
      const line = this.pending + piece;
      const overlong = this.discarding || line.length > limits.maxLineChars;
      this.pending = '';
      this.discarding = false;
      if (overlong) this.readerError('INPUT_LINE_TOO_LONG', 'over-long line; dropped whole');
      else this.deliver(line);
    }
    if (this.discarding) return;
    this.pending += rest;
    if (this.pending.length > limits.maxLineChars) {
      this.pending = '';
      this.discarding = true;
    }
  }

  private deliver(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    if (line === speakKey) {
      this.emit('speak');
      return;
    }
    if (!isWellFormedCode(line)) {
      this.readerError('INPUT_NOT_A_CODE', 'not shaped like a code; dropped');
      return;
    }
    this.emit('line', line);
  }

  /** Logs no content: a line of noise may hold part of someone's code. */
  private readerError(code: 'INPUT_LINE_TOO_LONG' | 'INPUT_NOT_A_CODE', problem: string): void {
    this.counters.readerErrors++;
    this.logger.warn(
      { input: this.options.name, code, readerErrors: this.counters.readerErrors },
      `reader noise: ${problem}`,
    );
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    this.reopen = setTimeout(() => void this.start(), timeouts.reopenMs);
  }
}
