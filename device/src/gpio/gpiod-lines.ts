import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { GpioError } from './gpio-error.ts';
import type { GpioLines, InputLine, OutputLine } from './gpio-lines.ts';

const run = promisify(execFile);

export const gpiodDefaults = {
  /** The chip as the tools take it: a name (`gpiochip0`) or a number. */
  chip: 'gpiochip0',
  /** Time given to `gpioget` before it counts as failed. */
  readTimeoutMs: 2000,
  /** Wait before `gpiomon` is started again after it ended on its own. */
  monitorRestartMs: 1000,
  /** Environment of the tools (PATH finds them; a test puts fakes first). */
  env: process.env as NodeJS.ProcessEnv,
};

/**
 * Lines through the GPIO character device with the libgpiod 1.x command-line tools (Debian 12
 * `gpiod` 1.6): `gpioget` reads, `gpioset --mode=signal` holds an output (the kernel drops a line's
 * value when the process holding it exits), `gpiomon -b -F '%e %o'` prints one line per edge
 * (`1` rising, `0` falling). An input's level is the initial read, then the last edge.
 */
export class GpiodLines implements GpioLines {
  constructor(
    private readonly logger: Logger,
    private readonly settings = gpiodDefaults,
  ) {}

  async output(line: number): Promise<OutputLine> {
    let holder: ChildProcess | undefined;
    let queue = Promise.resolve();
    const hold = async (high: boolean) => {
      await stopProcess(holder);
      holder = this.spawnTool('gpioset', ['--mode=signal', this.settings.chip, `${line}=${high ? 1 : 0}`]);
      const child = holder;
      child.once('exit', (code, signal) => {
        if (holder === child)
          this.logger.error(
            { line, code, signal },
            'GPIO_TOOL_FAILED: gpioset stopped holding an output line',
          );
      });
      await spawned(child, 'gpioset');
    };
    await hold(false);
    return {
      write: (high) => {
        queue = queue
          .then(() => hold(high))
          .catch((error: unknown) => this.logger.error({ err: error, line }, 'GPIO write failed'));
      },
      release: async () => {
        await queue;
        const child = holder;
        holder = undefined;
        await stopProcess(child);
      },
    };
  }

  async input(line: number): Promise<InputLine> {
    let level = await this.read(line);
    let monitor: ChildProcess | undefined;
    let restart: NodeJS.Timeout | undefined;
    let released = false;
    const startMonitor = (onEdge: () => void) => {
      const child = this.spawnTool('gpiomon', ['-b', '-F', '%e %o', this.settings.chip, String(line)]);
      monitor = child;
      child.on('error', (error) => this.logger.error({ err: error, line }, 'GPIO_TOOL_FAILED: gpiomon'));
      createInterface({ input: child.stdout! }).on('line', (text) => {
        const [edge, offset] = text.trim().split(' ');
        if (offset !== String(line) || (edge !== '0' && edge !== '1')) {
          this.logger.warn({ line, text }, 'gpiomon printed an unexpected line');
          return;
        }
        level = edge === '1';
        onEdge();
      });
      child.once('exit', (code, signal) => {
        if (released) return;
        this.logger.error({ line, code, signal }, 'GPIO_TOOL_FAILED: gpiomon ended; starting it again');
        restart = setTimeout(async () => {
          try {
            level = await this.read(line);
          } catch (error) {
            this.logger.error({ err: error, line }, 'GPIO read failed');
          }
          if (released) return;
          startMonitor(onEdge);
          onEdge();
        }, this.settings.monitorRestartMs);
      });
    };
    return {
      read: async () => level,
      watch: startMonitor,
      release: async () => {
        released = true;
        clearTimeout(restart);
        await stopProcess(monitor);
      },
    };
  }

  private async read(line: number): Promise<boolean> {
    const { chip, readTimeoutMs, env } = this.settings;
    try {
      const { stdout } = await run('gpioget', [chip, String(line)], { env, timeout: readTimeoutMs });
      return stdout.trim() === '1';
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new GpioError(
        missing ? 'GPIO_DRIVER_MISSING' : 'GPIO_TOOL_FAILED',
        missing
          ? 'gpio.driver is "gpiod" but gpioget is not on PATH: apt-get install gpiod'
          : `gpioget ${chip} ${line} failed: ${(error as Error).message}. Check the chip and line (gpioinfo) and that the user is in the gpio group`,
      );
    }
  }

  private spawnTool(tool: string, args: string[]): ChildProcess {
    return spawn(tool, args, { env: this.settings.env, stdio: ['ignore', 'pipe', 'ignore'] });
  }
}

/** Resolves once the tool runs; a missing tool is GPIO_DRIVER_MISSING. */
async function spawned(child: ChildProcess, tool: string): Promise<void> {
  try {
    await once(child, 'spawn');
  } catch {
    throw new GpioError('GPIO_DRIVER_MISSING', `${tool} is not on PATH: apt-get install gpiod`);
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
