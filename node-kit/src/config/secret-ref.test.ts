import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSecret } from './secret-ref.ts';

describe('secret references', () => {
  it('reads secrets from env or file and refuses weak ones in production only', () => {
    const strong = 'x'.repeat(40);
    expect(readSecret({ env: 'K' }, 'secrets.codeKey', 'production', { K: strong })).toBe(strong);
    expect(() => readSecret({ env: 'K' }, 'secrets.codeKey', 'production', {})).toThrow(/SECRET_MISSING/);
    expect(() => readSecret({ env: 'K' }, 'secrets.codeKey', 'production', { K: 'changeme' })).toThrow(
      /SECRET_WEAK/,
    );
    expect(readSecret({ env: 'K' }, 'secrets.codeKey', 'development', { K: 'changeme' })).toBe('changeme');
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeFileSync(join(dir, 'key'), `${strong}\n`);
    expect(readSecret({ file: join(dir, 'key') }, 'secrets.codeKey', 'production')).toBe(strong);
  });
});
