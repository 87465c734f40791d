import { describe, expect, it } from 'vitest';
import { parseSimArgs, SimArgsError } from './sim-args.ts';

describe('sim command line: --cu48-commands', () => {
  it('sets the command set the simulated CU48 boards answer', () => {
    expect(parseSimArgs(['--protocol', 'cu48', '--cu48-commands', '0x60']).kerongDialect).toEqual({
      cu48Commands: '0x60',
    });
    expect(parseSimArgs(['--protocol', 'cu48']).kerongDialect).toBeUndefined();
  });

  it('refuses a command set it does not know, naming the option', () => {
    expect(() => parseSimArgs(['--protocol', 'cu48', '--cu48-commands', '0x70'])).toThrow(SimArgsError);
    expect(() => parseSimArgs(['--protocol', 'cu48', '--cu48-commands', '0x70'])).toThrow(/--cu48-commands/);
  });
});
