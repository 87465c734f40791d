import { describe, expect, it } from 'vitest';
import { defaultNext, safeNext } from './assets/safe-next.js';

const origin = 'https://lockers.westhoek.example';

describe('where to go after signing in', () => {
  it('keeps a path on this origin with its query and fragment', () => {
    expect(safeNext('/dashboard', origin)).toBe('/dashboard');
    expect(safeNext('/desk?locker=ieper-1#today', origin)).toBe('/desk?locker=ieper-1#today');
  });

  it.each([
    ['/\\evil.example', 'backslash (/%5C)'],
    ['\\\\evil.example', 'two backslashes (%5C%5C)'],
    ['/\t/evil.example', 'tab (/%09/)'],
    ['/\n/evil.example', 'newline (/%0A/)'],
    ['/\r\n/evil.example', 'carriage return and newline'],
    ['//evil.example', 'scheme-relative'],
    ['https://evil.example/desk', 'absolute URL'],
    ['javascript:alert(1)', 'javascript: URL'],
    ['/.//evil.example', 'a path that normalises to //'],
    ['desk', 'a relative path'],
    ['', 'nothing'],
  ])('sends %j (%s) to the default page', (next) => {
    expect(safeNext(next, origin)).toBe(defaultNext);
  });

  it('sends a missing next to the default page', () => {
    expect(safeNext(null, origin)).toBe('/desk');
  });
});
