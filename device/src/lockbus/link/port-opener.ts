import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';

/** Opens the bus: a tty path (prefer /dev/serial/by-id/…) or `tcp://host:port` for a TCP-to-RS-485 bridge. */
export type PortOpener = () => Promise<Duplex>;

export function portOpenerFor(transport: string, baudRate: number): PortOpener {
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(transport);
  if (tcp) return () => openTcp(tcp[1]!, Number(tcp[2]));
  return () => openSerial(transport, baudRate);
}

function openSerial(path: string, baudRate: number): Promise<Duplex> {
  const port = new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

function openTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Errors after which reopening can help (adapter unplugged, bridge restarted); EACCES is not one. */
export const reconnectableCodes: ReadonlySet<string> = new Set([
  'ENOENT',
  'ENXIO',
  'EIO',
  'EBADF',
  'ENODEV',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** serialport's open errors carry the OS text but no `code`. */
const codeByMessage: [RegExp, string][] = [
  [/permission denied/i, 'EACCES'],
  [/no such file or directory/i, 'ENOENT'],
  [/no such device or address/i, 'ENXIO'],
  [/input\/output error/i, 'EIO'],
  [/bad file descriptor/i, 'EBADF'],
];

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const message = String((error as { message?: unknown }).message ?? '');
  const named = /\b(E[A-Z]{2,})\b/.exec(message)?.[1];
  return named ?? codeByMessage.find(([pattern]) => pattern.test(message))?.[1];
}
