import { type SizeClass, sizeClassSchema } from '@locker/protocol';

/** Size classes from small to large: an item fits a compartment of its own class or larger. */
const sizeOrder: readonly SizeClass[] = sizeClassSchema.options;

/**
 * Whether an item of `itemSize` fits one of the locker's compartments in service (not disabled).
 * A locker whose compartment sizes the fleet has not heard of yet accepts anything.
 */
export function fitsSomeCompartment(
  itemSize: SizeClass,
  compartments: readonly { size?: string | null; state: string }[],
): boolean {
  if (!compartments.some((c) => c.size)) return true;
  const needed = sizeOrder.indexOf(itemSize);
  return compartments.some(
    (c) => c.state !== 'disabled' && c.size && sizeOrder.indexOf(c.size as SizeClass) >= needed,
  );
}
