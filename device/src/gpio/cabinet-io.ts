import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/** Cabinet light, buzzer and the service-door tamper switch. */
export interface CabinetIo extends EventEmitter<{ tamper: [boolean] }> {
  start(): Promise<void>;
  stop(): Promise<void>;
  light(on: boolean): void;
  buzz(ms: number): void;
  readonly state: { light: boolean; buzzing: boolean; tamperOpen: boolean };
}

/** For machines without GPIO (and tests): holds the state, logs, and lets a test open the service door. */
export class SoftCabinetIo extends EventEmitter<{ tamper: [boolean] }> implements CabinetIo {
  readonly state = { light: false, buzzing: false, tamperOpen: false };
  private buzzTimer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {
    super();
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    clearTimeout(this.buzzTimer);
  }

  light(on: boolean): void {
    this.state.light = on;
  }

  buzz(ms: number): void {
    this.state.buzzing = true;
    clearTimeout(this.buzzTimer);
    this.buzzTimer = setTimeout(() => {
      this.state.buzzing = false;
    }, ms);
    this.logger.debug({ ms }, 'buzzer');
  }

  setTamper(open: boolean): void {
    this.state.tamperOpen = open;
    this.emit('tamper', open);
  }
}

interface OnoffGpio {
  writeSync(value: 0 | 1): void;
  readSync(): 0 | 1;
  watch(callback: (error: Error | null | undefined, value: 0 | 1) => void): void;
  unexport(): void;
}

/** Real pins through `onoff` (sysfs GPIO on the locker PC); loaded only when configured. */
export class OnoffCabinetIo extends EventEmitter<{ tamper: [boolean] }> implements CabinetIo {
  readonly state = { light: false, buzzing: false, tamperOpen: false };
  private pins: { light?: OnoffGpio; buzzer?: OnoffGpio; tamper?: OnoffGpio } = {};
  private buzzTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: { lightPin?: number; buzzerPin?: number; tamperPin?: number },
    private readonly logger: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    const moduleName = 'onoff';
    let Gpio: new (pin: number, direction: string, edge?: string, options?: object) => OnoffGpio;
    try {
      ({ Gpio } = (await import(moduleName)) as { Gpio: typeof Gpio });
    } catch {
      throw new Error(
        'GPIO_DRIVER_MISSING: gpio.driver is "onoff" but the onoff package is not installed; npm install onoff, or set gpio.driver: soft',
      );
    }
    const { lightPin, buzzerPin, tamperPin } = this.config;
    if (lightPin !== undefined) this.pins.light = new Gpio(lightPin, 'out');
    if (buzzerPin !== undefined) this.pins.buzzer = new Gpio(buzzerPin, 'out');
    if (tamperPin !== undefined) {
      const tamper = new Gpio(tamperPin, 'in', 'both', { debounceTimeout: 50 });
      this.pins.tamper = tamper;
      this.state.tamperOpen = tamper.readSync() === 1;
      tamper.watch((error, value) => {
        if (error) return this.logger.warn({ err: error }, 'tamper switch read failed');
        this.state.tamperOpen = value === 1;
        this.emit('tamper', value === 1);
      });
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.buzzTimer);
    for (const pin of Object.values(this.pins)) pin?.unexport();
    this.pins = {};
  }

  light(on: boolean): void {
    this.state.light = on;
    this.pins.light?.writeSync(on ? 1 : 0);
  }

  buzz(ms: number): void {
    this.state.buzzing = true;
    this.pins.buzzer?.writeSync(1);
    clearTimeout(this.buzzTimer);
    this.buzzTimer = setTimeout(() => {
      this.state.buzzing = false;
      this.pins.buzzer?.writeSync(0);
    }, ms);
  }
}
