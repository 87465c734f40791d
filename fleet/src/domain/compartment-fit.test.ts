import { describe, expect, it } from 'vitest';
import { fitsSomeCompartment } from './compartment-fit.ts';

const c = (size: string | null, state = 'free') => ({ size, state });

describe('fitsSomeCompartment', () => {
  it('fits a compartment of the item’s size or larger', () => {
    expect(fitsSomeCompartment('M', [c('S'), c('M')])).toBe(true);
    expect(fitsSomeCompartment('S', [c('L')])).toBe(true);
  });

  it('refuses an item larger than every compartment', () => {
    expect(fitsSomeCompartment('XL', [c('S'), c('M'), c('L')])).toBe(false);
  });

  it('does not count a disabled compartment', () => {
    expect(fitsSomeCompartment('XL', [c('S'), c('XL', 'disabled')])).toBe(false);
  });

  it('accepts anything while the locker’s compartment sizes are unknown', () => {
    expect(fitsSomeCompartment('XL', [])).toBe(true);
    expect(fitsSomeCompartment('XL', [c(null)])).toBe(true);
  });
});
