import { describe, expect, it } from 'vitest';
import { errorCode, portOpenerFor, reconnectableCodes } from './port-opener.ts';

describe('port opener errors', () => {
  it('names the OS error of a tty that is not there, so the link knows to retry', async () => {
    const error = await portOpenerFor('/dev/serial/by-id/not-plugged-in', 19200)().catch((e: unknown) => e);
    expect(errorCode(error)).toBe('ENOENT');
    expect(reconnectableCodes.has('ENOENT')).toBe(true);
  });

  it('recognises permission denied as EACCES, which is never retried', () => {
    expect(errorCode(new Error('Error: Permission denied, cannot open /dev/ttyUSB0'))).toBe('EACCES');
    expect(reconnectableCodes.has('EACCES')).toBe(false);
  });

  it('reads a code from the error object first, as TCP errors carry one', async () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    const refused = await portOpenerFor('tcp://127.0.0.1:1', 0)().catch((e: unknown) => e);
    expect(errorCode(refused)).toBe('ECONNREFUSED');
  });
});
