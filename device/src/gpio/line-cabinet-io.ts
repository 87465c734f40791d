import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CabinetIo } from './cabinet-io.ts';
import type { GpioLines, InputLine, OutputLine } from './gpio-lines.ts';

export interface CabinetPins {
  lightPin?: number;
  buzzerPin?: number;
  tamperPin?: number;
}

export const lineCabinetDefaults = {
  /** Quiet time after the tamper switch's last edge before its level is read (contact bounce). */
  tamperDebounceMs: 50,
};

/**
 * Cabinet light, buzzer and tamper switch on real lines from any `GpioLines` driver. The tamper
 * switch reads high when the service door is open; a change is reported once its level settles.
 */
export class LineCabinetIo extends EventEmitter<{ tamper: [boolean] }> implements CabinetIo {
  readonly state = { light: false, buzzing: false, tamperOpen: false };
  private lines: { light?: OutputLine; buzzer?: OutputLine; tamper?: InputLine } = {};
  private buzzTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: GpioLines,
    private readonly pins: CabinetPins,
    private readonly logger: Logger,
    private readonly timing = lineCabinetDefaults,
  ) {
    super();
  }

  async start(): Promise<void> {
    const { lightPin, buzzerPin, tamperPin } = this.pins;
    if (lightPin !== undefined) this.lines.light = await this.driver.output(lightPin);
    if (buzzerPin !== undefined) this.lines.buzzer = await this.driver.output(buzzerPin);
    if (tamperPin === undefined) return;
    const tamper = await this.driver.input(tamperPin);
    this.lines.tamper = tamper;
    this.state.tamperOpen = await tamper.read();
    tamper.watch(() => {
      clearTimeout(this.debounceTimer);
      this.debounceTimer = setTimeout(() => void this.settle(tamper), this.timing.tamperDebounceMs);
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.buzzTimer);
    clearTimeout(this.debounceTimer);
    const lines = Object.values(this.lines);
    this.lines = {};
    await Promise.all(lines.map((line) => line.release()));
  }

  light(on: boolean): void {
    this.state.light = on;
    this.lines.light?.write(on);
  }

  buzz(ms: number): void {
    this.state.buzzing = true;
    this.lines.buzzer?.write(true);
    clearTimeout(this.buzzTimer);
    this.buzzTimer = setTimeout(() => {
      this.state.buzzing = false;
      this.lines.buzzer?.write(false);
    }, ms);
  }

  private async settle(tamper: InputLine): Promise<void> {
    let open: boolean;
    try {
      open = await tamper.read();
    } catch (error) {
      this.logger.warn({ err: error }, 'tamper switch read failed');
      return;
    }
    if (this.lines.tamper !== tamper || open === this.state.tamperOpen) return;
    this.state.tamperOpen = open;
    this.emit('tamper', open);
  }
}
