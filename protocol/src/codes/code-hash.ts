import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { type CodeKind, codeFormats } from './code-formats.ts';

/**
 * Codes are stored only as keyed hashes (HMAC-SHA256 with the locker's code key, shared by the
 * fleet and that locker alone). The kind and locker are part of the message, so a PIN hash of
 * one locker says nothing about the same digits at another.
 */
export function codeHash(key: Buffer | string, lockerId: string, kind: CodeKind, code: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${lockerId}\u0000${code}`).digest('hex');
}

export function randomPin(): string {
  return String(randomInt(0, 10 ** codeFormats.pinDigits)).padStart(codeFormats.pinDigits, '0');
}

export function randomQrToken(): string {
  return randomBytes(codeFormats.qrTokenBytes).toString('base64url');
}
