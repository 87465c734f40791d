import { createInterface } from 'node:readline/promises';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReadlineInstaller } from './readline-installer.ts';

/** Every answer typed ahead at once, as when pasted or piped. */
function installerAnswering(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  const written: string[] = [];
  output.on('data', (chunk: Buffer) => written.push(chunk.toString()));
  input.end(answers.map((answer) => `${answer}\n`).join(''));
  const lines = createInterface({ input, terminal: false })[Symbol.asyncIterator]();
  return { installer: new ReadlineInstaller(lines, output), written: () => written.join('') };
}

describe('ReadlineInstaller', () => {
  it('reads a door description and asks again after an answer that does not parse', async () => {
    const { installer, written } = installerAnswering([
      '12',
      'XXL',
      'm',
      '2',
      'side',
      'Middle',
      '60',
      '40',
      '95',
    ]);

    const answer = await installer.whichDoorOpened(0, 3);

    expect(answer).toEqual({
      number: 12,
      size: 'M',
      position: { column: 2, row: 'middle' },
      heightCm: { bottom: 60, top: 95 },
    });
    expect(written()).toContain('please answer one of S, M, L, XL');
    expect(written()).toContain('please answer one of top, upper, middle, lower, bottom');
    expect(written()).toContain('please answer a whole number from 61 to 300');
  });

  it('takes an empty answer as "no door opened"', async () => {
    const { installer } = installerAnswering(['']);
    expect(await installer.whichDoorOpened(1, 1)).toBeNull();
  });

  it('refuses a lock count above the board maximum', async () => {
    const { installer, written } = installerAnswering(['17', '16']);
    expect(await installer.locksOnBoard(0, 16)).toBe(16);
    expect(written()).toContain('from 1 to 16');
  });

  it('stops with INSTALLER_GONE when the input ends before the answer', async () => {
    const { installer } = installerAnswering([]);
    await expect(installer.locksOnBoard(0, 16)).rejects.toMatchObject({ code: 'INSTALLER_GONE' });
  });
});
