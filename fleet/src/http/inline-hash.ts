import { createHash } from 'node:crypto';

/** A CSP source for one inline `<style>` or `<script>` block: `'sha256-…'` of its exact text. */
export function inlineHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}
