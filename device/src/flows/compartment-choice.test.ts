import { describe, expect, it } from 'vitest';
import { chooseCompartment } from './compartment-choice.ts';

describe('compartment choice and the item sensor', () => {
  it('never chooses a compartment whose item sensor sees an item, even when its record says free', () => {
    const candidates = [
      { number: 1, size: 'S' as const, free: true, opens: 0, itemPresent: true },
      { number: 2, size: 'S' as const, free: true, opens: 9, itemPresent: false },
      { number: 3, size: 'S' as const, free: true, opens: 9, itemPresent: null },
    ];
    expect(chooseCompartment(candidates, 'S')).toBe(2);
    expect(chooseCompartment(candidates.slice(0, 1), 'S')).toBeUndefined();
    expect(chooseCompartment([candidates[0]!, candidates[2]!], 'S')).toBe(3);
  });
});
