import type { SizeClass } from '@locker/protocol';

export const sizeOrder: readonly SizeClass[] = ['S', 'M', 'L', 'XL'];

export interface CompartmentCandidate {
  number: number;
  size: SizeClass;
  free: boolean;
  opens: number;
  /** What the item sensor last saw (null or absent: no sensor). A compartment holding an item is never chosen. */
  itemPresent?: boolean | null;
}

/**
 * The smallest free, empty compartment that fits (at least `atLeast`, a step up after "give me a bigger
 * one"); among equals, the least used one (spreads wear), then the lowest number.
 */
export function chooseCompartment(
  candidates: readonly CompartmentCandidate[],
  wanted: SizeClass,
  exclude: ReadonlySet<number> = new Set(),
  atLeast: SizeClass = wanted,
): number | undefined {
  const min = Math.max(sizeOrder.indexOf(wanted), sizeOrder.indexOf(atLeast));
  const fitting = candidates.filter(
    (c) => c.free && c.itemPresent !== true && !exclude.has(c.number) && sizeOrder.indexOf(c.size) >= min,
  );
  fitting.sort(
    (a, b) =>
      sizeOrder.indexOf(a.size) - sizeOrder.indexOf(b.size) || a.opens - b.opens || a.number - b.number,
  );
  return fitting[0]?.number;
}

export function nextSize(size: SizeClass): SizeClass | undefined {
  return sizeOrder[sizeOrder.indexOf(size) + 1];
}
