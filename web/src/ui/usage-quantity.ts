/** A metered quantity in its item's unit: "1 call", "1,250 calls" (the unit as the author named it, plural with an s). */
export function quantityOf(amount: number, unit: string): string {
  const plural = amount === 1 || unit.endsWith("s") ? unit : `${unit}s`;
  return `${amount.toLocaleString("en")} ${plural}`;
}
