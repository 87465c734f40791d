import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LineCabinetIo } from './line-cabinet-io.ts';
import { OnoffLines, type OnoffLoader } from './onoff-lines.ts';

const logger = pino({ level: 'silent' });

/** onoff's Gpio as its README describes it: constructor (line, direction, edge), writeSync, readSync, watch, unexport. */
function fakeOnoff() {
  const pins = new Map<number, { direction: string; edge?: string; value: 0 | 1; exported: boolean }>();
  const watchers = new Map<number, (error: Error | null | undefined, value: 0 | 1) => void>();
  class Gpio {
    constructor(
      private readonly line: number,
      direction: string,
      edge?: string,
    ) {
      pins.set(line, { direction, ...(edge ? { edge } : {}), value: 0, exported: true });
    }
    writeSync(value: 0 | 1) {
      pins.get(this.line)!.value = value;
    }
    readSync(): 0 | 1 {
      return pins.get(this.line)!.value;
    }
    watch(callback: (error: Error | null | undefined, value: 0 | 1) => void) {
      watchers.set(this.line, callback);
    }
    unexport() {
      pins.get(this.line)!.exported = false;
    }
  }
  const interrupt = (line: number, value: 0 | 1) => {
    pins.get(line)!.value = value;
    watchers.get(line)?.(null, value);
  };
  return { load: (async () => ({ Gpio })) as OnoffLoader, pins, interrupt };
}

describe('cabinet GPIO through onoff (loaded lazily)', () => {
  it('opens outputs low and the tamper line with edges on both sides; an interrupt is reported once settled', async () => {
    const onoff = fakeOnoff();
    const io = new LineCabinetIo(new OnoffLines(logger, onoff.load), { lightPin: 5, tamperPin: 17 }, logger, {
      tamperDebounceMs: 1,
    });
    await io.start();
    expect(onoff.pins.get(5)).toMatchObject({ direction: 'low' });
    expect(onoff.pins.get(17)).toMatchObject({ direction: 'in', edge: 'both' });
    io.light(true);
    expect(onoff.pins.get(5)?.value).toBe(1);
    const opened = new Promise((resolve) => io.once('tamper', resolve));
    onoff.interrupt(17, 1);
    expect(await opened).toBe(true);
    await io.stop();
    expect([onoff.pins.get(5)?.exported, onoff.pins.get(17)?.exported]).toEqual([false, false]);
  });

  it('without the onoff package, start fails with GPIO_DRIVER_MISSING saying what to install or choose', async () => {
    const missing: OnoffLoader = () => Promise.reject(new Error("Cannot find package 'onoff'"));
    const io = new LineCabinetIo(new OnoffLines(logger, missing), { lightPin: 5 }, logger);
    await expect(io.start()).rejects.toMatchObject({
      code: 'GPIO_DRIVER_MISSING',
      message: expect.stringMatching(/npm install onoff.*sysfs, gpiod or soft/),
    });
  });
});
