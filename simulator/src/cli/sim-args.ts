import { parseArgs } from 'node:util';
import type { SimulatorOptionsInput } from '../simulator-options.ts';

export const simUsage = `usage: npm run sim -- --protocol cu48|cu16|xor8a|modbus-rtu [--boards N] [--locks N] [--tcp PORT]
  [--control-port PORT] [--no-pty] [--inputs] [--spring-ms MS] [--no-pace] [--seed N]
  [--corrupt-rate R] [--drop-rate R] [--request-corrupt-rate R] [--request-drop-rate R] [--cu48-commands v2.1|0x60]
  --cu48-commands: the CU48 command set the boards answer (default v2.1 = 50/51 → 65; 0x60 = 60/61 → 75)
  --inputs adds a keypad and a QR scanner, each on its own pty
  rates are chances per byte (0–1): replies (--corrupt-rate, --drop-rate) and requests (--request-…)
prints one JSON line {"tty", "tcpPort", "controlUrl", "keypadTty", "scannerTty"} on stdout, then logs (JSON) on stderr`;

export class SimArgsError extends Error {
  override readonly name = 'SimArgsError';
}

/** Command-line words → simulator options (validated later by the options schema). */
export function parseSimArgs(argv: string[]): SimulatorOptionsInput {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      protocol: { type: 'string' },
      boards: { type: 'string', default: '1' },
      locks: { type: 'string' },
      tcp: { type: 'string' },
      'control-port': { type: 'string', default: '0' },
      'no-pty': { type: 'boolean', default: false },
      inputs: { type: 'boolean', default: false },
      'spring-ms': { type: 'string' },
      'no-pace': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      'corrupt-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      'request-corrupt-rate': { type: 'string' },
      'request-drop-rate': { type: 'string' },
      'cu48-commands': { type: 'string' },
    },
  });
  const protocol = values.protocol;
  if (protocol !== 'cu48' && protocol !== 'cu16' && protocol !== 'xor8a' && protocol !== 'modbus-rtu') {
    throw new SimArgsError(
      `--protocol must be cu48, cu16, xor8a or modbus-rtu, got ${protocol ?? 'nothing'}\n${simUsage}`,
    );
  }
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value)) throw new SimArgsError(`--${name} must be a whole number, got "${text}"`);
    return value;
  };
  const rate = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
      throw new SimArgsError(`--${name} must be a chance per byte from 0 to 1, got "${text}"`);
    return value;
  };
  const rates = {
    corruptRate: rate('corrupt-rate', values['corrupt-rate']),
    dropRate: rate('drop-rate', values['drop-rate']),
    requestCorruptRate: rate('request-corrupt-rate', values['request-corrupt-rate']),
    requestDropRate: rate('request-drop-rate', values['request-drop-rate']),
  };
  const faults = Object.fromEntries(Object.entries(rates).filter(([, value]) => value !== undefined));
  const springMs = number('spring-ms', values['spring-ms']);
  const cu48Commands = values['cu48-commands'];
  if (cu48Commands !== undefined && cu48Commands !== 'v2.1' && cu48Commands !== '0x60') {
    throw new SimArgsError(`--cu48-commands must be v2.1 or 0x60, got "${cu48Commands}"`);
  }
  return {
    protocol,
    boards: number('boards', values.boards)!,
    locks: number('locks', values.locks),
    tcpPort: number('tcp', values.tcp) ?? null,
    controlPort: number('control-port', values['control-port'])!,
    pty: !values['no-pty'],
    inputs: values.inputs,
    ...(values['no-pace'] ? { paceBaudRate: null } : {}),
    ...(springMs === undefined ? {} : { physics: { springMs } }),
    seed: number('seed', values.seed)!,
    faults,
    ...(cu48Commands === undefined ? {} : { kerongDialect: { cu48Commands } }),
  };
}
