import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { GpioError } from './gpio-error.ts';
import type { GpioLines, InputLine, OutputLine } from './gpio-lines.ts';

export const sysfsDefaults = {
  /** Where the kernel's sysfs GPIO interface lives (a test points it at a temporary tree). */
  root: '/sys/class/gpio',
  /** Time for a line's directory to appear (and udev to open its files to us) after writing `export`. */
  exportTimeoutMs: 2000,
  exportCheckMs: 20,
  /** How often an input's `value` is read: Node cannot wait for sysfs edge interrupts without a native addon. */
  inputPollMs: 50,
};

/**
 * Lines through the sysfs GPIO files (`export`, `gpioN/direction`, `gpioN/value`, `unexport`) under an
 * injectable root, without native code. Deprecated by the kernel since 4.8 and missing where
 * CONFIG_GPIO_SYSFS is off; prefer the `gpiod` driver there (hardware-docs/locker-pc/gpio.md).
 */
export class SysfsLines implements GpioLines {
  constructor(
    private readonly logger: Logger,
    private readonly settings = sysfsDefaults,
  ) {}

  async output(line: number): Promise<OutputLine> {
    const { path, exported } = await this.open(line, 'out');
    return {
      write: (high) => {
        try {
          writeFileSync(join(path, 'value'), high ? '1' : '0');
        } catch (error) {
          this.logger.warn({ err: error, line }, 'GPIO write failed');
        }
      },
      release: async () => this.release(line, exported),
    };
  }

  async input(line: number): Promise<InputLine> {
    const { path, exported } = await this.open(line, 'in');
    const valueFile = join(path, 'value');
    const read = () => readFileSync(valueFile, 'utf8').trim() === '1';
    let poller: NodeJS.Timeout | undefined;
    return {
      read: async () => read(),
      watch: (onEdge) => {
        let last = read();
        poller = setInterval(() => {
          let now: boolean;
          try {
            now = read();
          } catch (error) {
            this.logger.warn({ err: error, line }, 'GPIO read failed');
            return;
          }
          if (now === last) return;
          last = now;
          onEdge();
        }, this.settings.inputPollMs);
      },
      release: async () => {
        clearInterval(poller);
        this.release(line, exported);
      },
    };
  }

  /** Exports the line when it is not yet (udev rules or a previous run may have), then sets its direction. */
  private async open(line: number, direction: 'in' | 'out'): Promise<{ path: string; exported: boolean }> {
    const { root, exportTimeoutMs, exportCheckMs } = this.settings;
    const path = join(root, `gpio${line}`);
    const directionFile = join(path, 'direction');
    const exported = !existsSync(path);
    try {
      if (exported) writeFileSync(join(root, 'export'), String(line));
      for (let waited = 0; !writable(directionFile); waited += exportCheckMs) {
        if (waited >= exportTimeoutMs)
          throw new Error(`${directionFile} did not appear (or is not writable)`);
        await sleep(exportCheckMs);
      }
      // "low" sets the direction to out and the level low in one step, without a glitch
      writeFileSync(directionFile, direction === 'out' ? 'low' : 'in');
    } catch (error) {
      throw new GpioError(
        'GPIO_LINE_UNAVAILABLE',
        `GPIO line ${line} under ${root}: ${(error as Error).message}. Is sysfs GPIO in this kernel (CONFIG_GPIO_SYSFS), the line number right for it, and the user in the gpio group? Otherwise use gpio.driver: gpiod`,
      );
    }
    return { path, exported };
  }

  private release(line: number, exported: boolean): void {
    if (!exported) return;
    try {
      writeFileSync(join(this.settings.root, 'unexport'), String(line));
    } catch (error) {
      this.logger.warn({ err: error, line }, 'GPIO unexport failed');
    }
  }
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
