import type { FastifyInstance } from 'fastify';

/**
 * The touchscreen's Content-Security-Policy: nothing but the page's own script, style and server
 * (the SSE stream); no inline code, no frames, no forms posted elsewhere.
 */
export const kioskCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The security headers on every kiosk answer. */
export const kioskSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': kioskCsp,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'cache-control': 'no-store',
};

export function addKioskSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(kioskSecurityHeaders);
    return payload;
  });
}
