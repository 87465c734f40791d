import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS with `export default` types: under Node's ESM the function is the module itself
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** Reads a QR code from a PNG the way a scanner would, with a decoder independent of the encoder. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
