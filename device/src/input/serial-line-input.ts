import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';

const timeouts = { reopenMs: 2000 } as const;
const maxLine = 256;

/**
 * A keypad or QR scanner in serial/CDC mode: each code arrives as one line (CR, LF or both).
 * Over-long lines are dropped with a log; the port is reopened when it goes away.
 */
export class SerialLineInput extends EventEmitter<{ line: [string] }> {
  private port: SerialPort | undefined;
  private reopen: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: { name: 'keypad' | 'scanner'; path: string; baudRate: number },
    private readonly logger: Logger,
  ) {
    super();
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
    let pending = '';
    port.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString('latin1')).split(/\r\n|\r|\n/);
      pending = parts.pop() ?? '';
      if (pending.length > maxLine) {
        this.logger.warn(
          { input: this.options.name, length: pending.length },
          'input line too long; ignored',
        );
        pending = '';
      }
      for (const raw of parts) {
        const line = raw.replace(/[^\x20-\x7e]/g, '').trim();
        if (line && line.length <= maxLine) this.emit('line', line);
      }
    });
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

  private scheduleReopen(): void {
    if (this.stopped) return;
    this.reopen = setTimeout(() => void this.start(), timeouts.reopenMs);
  }
}
