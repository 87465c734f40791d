import type { Logger } from 'pino';
import { GpioError } from './gpio-error.ts';
import type { GpioLines, InputLine, OutputLine } from './gpio-lines.ts';

/** The part of onoff's `Gpio` used here. */
interface OnoffGpio {
  writeSync(value: 0 | 1): void;
  readSync(): 0 | 1;
  watch(callback: (error: Error | null | undefined, value: 0 | 1) => void): void;
  unexport(): void;
}
type OnoffGpioClass = new (line: number, direction: 'in' | 'out' | 'low', edge?: 'both') => OnoffGpio;

/** How onoff is loaded: the optional dependency by default; a test passes its own or a failing loader. */
export type OnoffLoader = () => Promise<{ Gpio: OnoffGpioClass }>;

const moduleName = 'onoff';
export const loadOnoff: OnoffLoader = () => import(moduleName) as Promise<{ Gpio: OnoffGpioClass }>;

/**
 * Lines through `onoff` (an optional dependency, loaded at the first line): sysfs GPIO at the fixed
 * path /sys/class/gpio with edge interrupts through epoll. Same kernel limits as `SysfsLines`.
 */
export class OnoffLines implements GpioLines {
  private gpioClass: OnoffGpioClass | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly load: OnoffLoader = loadOnoff,
  ) {}

  async output(line: number): Promise<OutputLine> {
    const gpio = await this.open(line, 'low');
    return {
      write: (high) => {
        try {
          gpio.writeSync(high ? 1 : 0);
        } catch (error) {
          this.logger.warn({ err: error, line }, 'GPIO write failed');
        }
      },
      release: async () => gpio.unexport(),
    };
  }

  async input(line: number): Promise<InputLine> {
    const gpio = await this.open(line, 'in');
    return {
      read: async () => gpio.readSync() === 1,
      watch: (onEdge) =>
        gpio.watch((error) => {
          if (error) this.logger.warn({ err: error, line }, 'GPIO edge wait failed');
          else onEdge();
        }),
      release: async () => gpio.unexport(),
    };
  }

  private async open(line: number, direction: 'in' | 'low'): Promise<OnoffGpio> {
    if (!this.gpioClass) {
      try {
        this.gpioClass = (await this.load()).Gpio;
      } catch (error) {
        throw new GpioError(
          'GPIO_DRIVER_MISSING',
          `gpio.driver is "onoff" but onoff could not be loaded (${(error as Error).message}): npm install onoff (an optional dependency, built on the locker PC), or set gpio.driver to sysfs, gpiod or soft`,
        );
      }
    }
    try {
      return direction === 'in' ? new this.gpioClass(line, 'in', 'both') : new this.gpioClass(line, 'low');
    } catch (error) {
      throw new GpioError(
        'GPIO_LINE_UNAVAILABLE',
        `GPIO line ${line} through onoff: ${(error as Error).message}. Is sysfs GPIO in this kernel (CONFIG_GPIO_SYSFS), the line number right for it, and the user in the gpio group? Otherwise use gpio.driver: gpiod`,
      );
    }
  }
}
