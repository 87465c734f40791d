import { SerialPort } from 'serialport';
import { PtyPair } from './transports/pty-pair.ts';

export type SimInputName = 'keypad' | 'scanner';

const timeouts = { portCloseMs: 1000 } as const;

/**
 * A keypad or QR scanner in serial/CDC mode on its own pty pair: the device opens `devicePath`;
 * every code typed or scanned goes out as one line ending in CR LF, as such readers send it.
 */
export class SimLineInput {
  private readonly pty = new PtyPair();
  private port: SerialPort | undefined;

  constructor(readonly name: SimInputName) {}

  get devicePath(): string {
    return this.pty.devicePath;
  }

  async start(): Promise<void> {
    await this.pty.start();
    const port = new SerialPort({ path: this.pty.simPath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    this.port = port;
  }

  /** Sends raw text; `type` adds the line end. */
  async write(text: string | Buffer): Promise<void> {
    const port = this.port;
    if (!port) throw new Error(`SIM_NOT_STARTED: the ${this.name} is not started`);
    await new Promise<void>((resolve, reject) =>
      port.write(text, (error) => (error ? reject(error) : resolve())),
    );
    await new Promise<void>((resolve) => port.drain(() => resolve()));
  }

  async type(line: string): Promise<void> {
    await this.write(`${line}\r\n`);
  }

  async stop(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen)
      await new Promise<void>((resolve) => {
        setTimeout(resolve, timeouts.portCloseMs).unref();
        port.close(() => resolve());
      });
    await this.pty.stop();
  }
}
