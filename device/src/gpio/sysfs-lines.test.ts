import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineCabinetIo } from './line-cabinet-io.ts';
import { SysfsLines, sysfsDefaults } from './sysfs-lines.ts';

const logger = pino({ level: 'silent' });
const waitLong = { timeout: 10_000, interval: 10 };

/** A sysfs GPIO tree as the kernel shows it: `export`, `unexport`, and `gpioN/{direction,value}` for exported lines. */
function sysfsTree(exported: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-gpio-'));
  writeFileSync(join(root, 'export'), '');
  writeFileSync(join(root, 'unexport'), '');
  for (const line of exported) exportLine(root, line);
  return root;
}

function exportLine(root: string, line: number): void {
  mkdirSync(join(root, `gpio${line}`));
  writeFileSync(join(root, `gpio${line}`, 'direction'), 'in\n');
  writeFileSync(join(root, `gpio${line}`, 'value'), '0\n');
}

const file = (root: string, line: number, name: string) =>
  readFileSync(join(root, `gpio${line}`, name), 'utf8').trim();

describe('cabinet GPIO through sysfs files (a temporary tree)', () => {
  let io: LineCabinetIo | undefined;
  afterEach(async () => {
    await io?.stop();
    io = undefined;
  });

  const cabinet = (root: string, settings: Partial<typeof sysfsDefaults> = {}) =>
    new LineCabinetIo(
      new SysfsLines(logger, { ...sysfsDefaults, root, inputPollMs: 5, ...settings }),
      { lightPin: 5, buzzerPin: 6, tamperPin: 17 },
      logger,
    );

  it('sets outputs low and the tamper line as input, then drives the light and the buzzer through value files', async () => {
    const root = sysfsTree([5, 6, 17]);
    io = cabinet(root);
    await io.start();
    expect([file(root, 5, 'direction'), file(root, 6, 'direction'), file(root, 17, 'direction')]).toEqual([
      'low',
      'low',
      'in',
    ]);
    io.light(true);
    expect(file(root, 5, 'value')).toBe('1');
    io.light(false);
    expect(file(root, 5, 'value')).toBe('0');
    io.buzz(20);
    expect(file(root, 6, 'value')).toBe('1');
    await vi.waitFor(() => expect(file(root, 6, 'value')).toBe('0'), waitLong);
    expect(io.state.buzzing).toBe(false);
  });

  it('reads the service door at start and reports each settled change once, in order', async () => {
    const root = sysfsTree([5, 6, 17]);
    writeFileSync(join(root, 'gpio17', 'value'), '1\n');
    io = cabinet(root);
    const seen: boolean[] = [];
    io.on('tamper', (open) => seen.push(open));
    await io.start();
    expect(io.state.tamperOpen).toBe(true);
    writeFileSync(join(root, 'gpio17', 'value'), '0\n');
    await vi.waitFor(() => expect(seen).toEqual([false]), waitLong);
    // contact bounce: the level ends where it started, then opens for good
    writeFileSync(join(root, 'gpio17', 'value'), '1\n');
    writeFileSync(join(root, 'gpio17', 'value'), '0\n');
    writeFileSync(join(root, 'gpio17', 'value'), '1\n');
    await vi.waitFor(() => expect(seen).toEqual([false, true]), waitLong);
    expect(io.state.tamperOpen).toBe(true);
  });

  it('exports a line that is not exported yet, waits for the kernel to make it, and unexports it at stop', async () => {
    const root = sysfsTree([5, 6]);
    io = cabinet(root);
    const started = io.start();
    // the kernel: writing 17 to export makes gpio17
    await vi.waitFor(() => expect(readFileSync(join(root, 'export'), 'utf8')).toBe('17'), waitLong);
    exportLine(root, 17);
    await started;
    expect(file(root, 17, 'direction')).toBe('in');
    await io.stop();
    io = undefined;
    expect(readFileSync(join(root, 'unexport'), 'utf8')).toBe('17');
  });

  it('a line the kernel never makes is GPIO_LINE_UNAVAILABLE naming the line and the gpiod alternative', async () => {
    const root = sysfsTree([]);
    const lines = new SysfsLines(logger, { ...sysfsDefaults, root, exportTimeoutMs: 100 });
    await expect(lines.output(5)).rejects.toMatchObject({
      code: 'GPIO_LINE_UNAVAILABLE',
      message: expect.stringMatching(/GPIO line 5 .*gpio\.driver: gpiod/),
    });
    expect(existsSync(join(root, 'gpio5'))).toBe(false);
  });
});
