import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { MqttLengthScanner } from './mqtt-length-scanner.ts';

/**
 * The socket as aedes sees it: every byte read passes the scanner first; a packet that declares
 * more than the scanner's limit destroys the socket before its body is read, so nothing of it is
 * held in memory. Writes go straight to the socket.
 */
export function guardedStream(
  socket: Socket,
  scanner: MqttLengthScanner,
  onOversized: (declaredBytes: number) => void,
): Duplex {
  const guarded = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const oversized = scanner.scan(chunk);
    if (oversized !== undefined) {
      onOversized(oversized);
      socket.destroy();
      return;
    }
    if (!guarded.push(chunk)) socket.pause();
  });
  socket.on('end', () => guarded.push(null));
  socket.on('close', () => guarded.destroy());
  return guarded;
}
