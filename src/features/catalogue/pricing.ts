import { type Grade, gradeLabels } from '../numbers/grades.ts';

export type Price = { monthly_cents: number; setup_cents: number };

/** One price list's prices: per service type (by id) and per number grade. A missing entry is "no price". */
export type PriceTable = { services: Record<number, Price>; grades: Partial<Record<Grade, Price>> };

export type PricingLine = {
  label: string;
  quantity: number;
  monthly_cents: number;
  setup_cents: number;
  priced: boolean;
};

export type Pricing = {
  lines: PricingLine[];
  monthly_cents: number;
  setup_cents: number;
  /** What the price list has no price for, e.g. "Platinum numbers". */
  missing: string[];
};

/**
 * What the chosen services and numbers cost under one price list (C3, C5): the service type's monthly
 * and set-up price times the quantity, plus each number's grade price. Unpriced lines count as zero
 * and are listed in `missing`, which the validity report turns into errors.
 */
export function priceSelection(
  table: PriceTable,
  selection: { serviceType: { id: number; name: string } | null; quantity: number; grades: Grade[] },
): Pricing {
  const lines: PricingLine[] = [];
  if (selection.serviceType) {
    const price = table.services[selection.serviceType.id];
    lines.push(line(selection.serviceType.name, selection.quantity, price));
  }
  const counts = new Map<Grade, number>();
  for (const grade of selection.grades) counts.set(grade, (counts.get(grade) ?? 0) + 1);
  for (const [grade, quantity] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(line(`${gradeLabels[grade]} numbers`, quantity, table.grades[grade]));
  }
  return {
    lines,
    monthly_cents: lines.reduce((sum, l) => sum + l.monthly_cents, 0),
    setup_cents: lines.reduce((sum, l) => sum + l.setup_cents, 0),
    missing: lines.filter((l) => !l.priced).map((l) => l.label),
  };
}

function line(label: string, quantity: number, price: Price | undefined): PricingLine {
  return {
    label,
    quantity,
    monthly_cents: (price?.monthly_cents ?? 0) * quantity,
    setup_cents: (price?.setup_cents ?? 0) * quantity,
    priced: Boolean(price),
  };
}
