import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GpiodLines, gpiodDefaults } from './gpiod-lines.ts';
import { LineCabinetIo } from './line-cabinet-io.ts';

const logger = pino({ level: 'silent' });
const waitLong = { timeout: 15_000, interval: 20 };
/** Fake gpioget, gpioset and gpiomon that print what libgpiod 1.6's tools print (see their headers). */
const fakeTools = new URL('./fake-gpiod', import.meta.url).pathname;

function fakeChip(levels: Record<number, 0 | 1> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-gpiod-'));
  mkdirSync(join(dir, 'gpiochip0'));
  for (const [line, level] of Object.entries(levels))
    writeFileSync(join(dir, 'gpiochip0', line), `${level}\n`);
  const env = { ...process.env, PATH: `${fakeTools}:${process.env.PATH}`, FAKE_GPIO_DIR: dir };
  return {
    dir,
    env,
    setLog: () =>
      existsSync(join(dir, 'gpioset.log')) ? readFileSync(join(dir, 'gpioset.log'), 'utf8') : '',
    level: (line: number) => readFileSync(join(dir, 'gpiochip0', String(line)), 'utf8').trim(),
    /** The line changes level: the file gpioget reads, and the edge gpiomon prints. */
    edge: (line: number, level: 0 | 1) => {
      writeFileSync(join(dir, 'gpiochip0', String(line)), `${level}\n`);
      appendFileSync(join(dir, 'gpiochip0', 'edges'), `${level} ${line}\n`);
    },
    monitorPid: () => Number(readFileSync(join(dir, 'gpiomon.pid'), 'utf8')),
  };
}

/** Fake tools still running as children of this test process. */
const runningTools = () =>
  execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((args) => /fake-gpiod\/gpio(set|mon)/.test(args)).length;

describe('cabinet GPIO through the libgpiod 1.x tools (fake gpioget/gpioset/gpiomon on PATH)', () => {
  let io: LineCabinetIo | undefined;
  afterEach(async () => {
    await io?.stop();
    io = undefined;
  });

  const cabinet = (env: NodeJS.ProcessEnv) =>
    new LineCabinetIo(
      new GpiodLines(logger, { ...gpiodDefaults, env, monitorRestartMs: 50 }),
      { lightPin: 5, buzzerPin: 6, tamperPin: 17 },
      logger,
    );

  it('holds each output with gpioset --mode=signal, one holder per value, and ends every tool at stop', async () => {
    const chip = fakeChip();
    io = cabinet(chip.env);
    await io.start();
    io.light(true);
    await vi.waitFor(() => expect(chip.level(5)).toBe('1'), waitLong);
    io.light(false);
    await vi.waitFor(() => expect(chip.level(5)).toBe('0'), waitLong);
    io.buzz(60_000);
    await vi.waitFor(() => expect(chip.level(6)).toBe('1'), waitLong);
    const entries = chip.setLog().trim().split('\n');
    expect(entries.filter((entry) => entry.includes(' 5='))).toEqual([
      'gpiochip0 5=0 mode=signal',
      'gpiochip0 5=1 mode=signal',
      'gpiochip0 5=0 mode=signal',
    ]);
    expect(entries.filter((entry) => entry.includes(' 6='))).toEqual([
      'gpiochip0 6=0 mode=signal',
      'gpiochip0 6=1 mode=signal',
    ]);
    expect(runningTools()).toBe(3); // light, buzzer, gpiomon
    await io.stop();
    io = undefined;
    expect(runningTools()).toBe(0);
  });

  it('reads the service door with gpioget at start, then follows gpiomon edges once they settle', async () => {
    const chip = fakeChip({ 17: 1 });
    io = cabinet(chip.env);
    const seen: boolean[] = [];
    io.on('tamper', (open) => seen.push(open));
    await io.start();
    expect(io.state.tamperOpen).toBe(true);
    await vi.waitFor(() => expect(existsSync(join(chip.dir, 'gpiomon.pid'))).toBe(true), waitLong);
    chip.edge(17, 0);
    await vi.waitFor(() => expect(seen).toEqual([false]), waitLong);
    // bounce: falling, rising, falling, rising ends open
    chip.edge(17, 0);
    chip.edge(17, 1);
    chip.edge(17, 0);
    chip.edge(17, 1);
    await vi.waitFor(() => expect(seen).toEqual([false, true]), waitLong);
  });

  it('starts gpiomon again when it ends on its own, reading the level it may have missed', async () => {
    const chip = fakeChip({ 17: 0 });
    io = cabinet(chip.env);
    const seen: boolean[] = [];
    io.on('tamper', (open) => seen.push(open));
    await io.start();
    await vi.waitFor(() => expect(existsSync(join(chip.dir, 'gpiomon.pid'))).toBe(true), waitLong);
    const first = chip.monitorPid();
    writeFileSync(join(chip.dir, 'gpiochip0', '17'), '1\n'); // opened while nobody watches
    process.kill(first, 'SIGTERM');
    await vi.waitFor(() => expect(seen).toEqual([true]), waitLong);
    await vi.waitFor(() => expect(chip.monitorPid()).not.toBe(first), waitLong);
    chip.edge(17, 0);
    await vi.waitFor(() => expect(seen).toEqual([true, false]), waitLong);
  });

  it('without the tools on PATH, start fails with GPIO_DRIVER_MISSING naming the package', async () => {
    const chip = fakeChip();
    io = cabinet({ ...chip.env, PATH: '/nonexistent' });
    await expect(io.start()).rejects.toMatchObject({
      code: 'GPIO_DRIVER_MISSING',
      message: expect.stringContaining('apt-get install gpiod'),
    });
  });

  it('a chip the tools cannot open is GPIO_TOOL_FAILED naming chip and line', async () => {
    const chip = fakeChip();
    const lines = new GpiodLines(logger, { ...gpiodDefaults, env: chip.env, chip: 'gpiochip9' });
    await expect(lines.input(17)).rejects.toMatchObject({
      code: 'GPIO_TOOL_FAILED',
      message: expect.stringContaining('gpioget gpiochip9 17 failed'),
    });
  });
});
