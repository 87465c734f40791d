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
