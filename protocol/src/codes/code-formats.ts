/**
 * Code formats shared by device and fleet. A PIN is typed on a keypad, so it is digits only:
 * 8 for a citizen (10⁸ codes, see the brute-force bound in the README), 10 to 12 for staff, so
 * that the locker knows whose counter a wrong code goes to without evaluating it. A QR token is an opaque random value of 128 bits or more, prefixed so that a
 * scanner line can be told apart from a keypad line and so that a code for another locker
 * can name that locker.
 */
export const codeFormats = {
  pinDigits: 8,
  staffPinMinDigits: 10,
  staffPinMaxDigits: 12,
  staffBadgeMinChars: 8,
  qrTokenBytes: 16,
  qrPrefix: 'LKR1',
} as const;

export type CodeKind = 'pin' | 'qr' | 'staff';

const pinPattern = new RegExp(`^\\d{${codeFormats.pinDigits}}$`);
const staffPinPattern = new RegExp(
  `^\\d{${codeFormats.staffPinMinDigits},${codeFormats.staffPinMaxDigits}}$`,
);
const base64url = /^[A-Za-z0-9_-]+$/;

export function isPin(text: string): boolean {
  return pinPattern.test(text);
}

/** 10 to 12 digits, and not trivial. */
export function isStaffPin(text: string): boolean {
  return staffPinPattern.test(text) && !isTrivialPin(text);
}

/** All one digit, a straight run up or down (`1234567890`, `9876543210`), or a short block repeated (`2026202620`). */
export function isTrivialPin(digits: string): boolean {
  const steps = new Set(Array.from(digits.slice(1), (d, i) => (Number(d) - Number(digits[i]) + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return true;
  for (let block = 1; block <= 4 && block * 2 <= digits.length; block++)
    if (digits.slice(0, block).repeat(digits.length).startsWith(digits)) return true;
  return false;
}

/** A staff badge's scanner line: letters and digits (not digits only), not a QR code. */
export function isStaffBadge(text: string): boolean {
  return text.length >= codeFormats.staffBadgeMinChars && !/^\d+$/.test(text) && !parseQr(text);
}

export interface QrPayload {
  lockerId: string;
  token: string;
}

/** `LKR1.<lockerId>.<token>`; the token is base64url of at least {@link codeFormats.qrTokenBytes} bytes. */
export function formatQr({ lockerId, token }: QrPayload): string {
  return `${codeFormats.qrPrefix}.${lockerId}.${token}`;
}

export function parseQr(text: string): QrPayload | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts[0] !== codeFormats.qrPrefix) return undefined;
  const [, lockerId, token] = parts as [string, string, string];
  if (!/^[a-z0-9-]{1,64}$/.test(lockerId)) return undefined;
  const minChars = Math.ceil((codeFormats.qrTokenBytes * 8) / 6);
  if (token.length < minChars || token.length > 128 || !base64url.test(token)) return undefined;
  return { lockerId, token };
}
