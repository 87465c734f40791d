// Where to go after signing in: only a path on this very origin, parsed as the browser will parse
// it (a backslash, tab or newline can turn "/\evil.example" into another host); anything else goes
// to the desk page.
export const defaultNext = '/desk';

export function safeNext(next, origin) {
  if (typeof next !== 'string' || !next.startsWith('/')) return defaultNext;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return defaultNext;
  }
  if (url.origin !== origin || url.pathname.startsWith('//')) return defaultNext;
  return `${url.pathname}${url.search}${url.hash}`;
}
