import { codeFormats, isPin, isStaffPin, parseQr } from '@locker/protocol';

/** A staff badge from the scanner: printable, no spaces, at least 8 characters, not digits only (those are PINs). */
const badgePattern = /^[\x21-\x7e]{8,128}$/;

/**
 * Whether a reader line has the shape of a code: a QR code, a PIN, a staff PIN or a staff badge,
 * by the shared formats. Anything else is reader noise (a line cut short, junk from the scanner,
 * the tail of an over-long line) and must never count as a wrong code.
 */
export function isWellFormedCode(text: string): boolean {
  if (text.startsWith(`${codeFormats.qrPrefix}.`)) return parseQr(text) !== undefined;
  if (/^\d+$/.test(text)) return isPin(text) || isStaffPin(text);
  return badgePattern.test(text);
}
