/**
 * Code formats shared by device and fleet. A PIN is typed on a keypad, so it is short and
 * digits only; a QR token is an opaque random value of 128 bits or more, prefixed so that a
 * scanner line can be told apart from a keypad line and so that a code for another locker
 * can name that locker.
 */
export const codeFormats = {
  pinDigits: 6,
  staffPinMinDigits: 6,
  qrTokenBytes: 16,
  qrPrefix: 'LKR1',
} as const;

export type CodeKind = 'pin' | 'qr' | 'staff';

const pinPattern = new RegExp(`^\\d{${codeFormats.pinDigits}}$`);
const staffPinPattern = new RegExp(`^\\d{${codeFormats.staffPinMinDigits},12}$`);
const base64url = /^[A-Za-z0-9_-]+$/;

export function isPin(text: string): boolean {
  return pinPattern.test(text);
}

export function isStaffPin(text: string): boolean {
  return staffPinPattern.test(text);
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
