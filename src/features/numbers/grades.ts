/** Number grades, cheapest and least memorable first (C3): the grade sets the price on a price list. */
export const grades = ['standard', 'silver', 'gold', 'platinum'] as const;
export type Grade = (typeof grades)[number];

export const gradeLabels: Record<Grade, string> = {
  standard: 'Standard',
  silver: 'Silver',
  gold: 'Gold',
  platinum: 'Platinum',
};

export function isGrade(value: unknown): value is Grade {
  return typeof value === 'string' && (grades as readonly string[]).includes(value);
}

/**
 * The grade a number's last four digits suggest, for imports that give none and for demo data: four of a
 * kind is platinum, a run or a repeated pair gold, a triple or a round hundred silver.
 */
export function suggestedGrade(number: string): Grade {
  const tail = number.slice(-4);
  if (/^(\d)\1{3}$/.test(tail)) return 'platinum';
  const digits = [...tail].map(Number);
  const step = digits[1] - digits[0];
  const isRun = Math.abs(step) === 1 && digits.every((d, i) => i === 0 || d - digits[i - 1] === step);
  if (isRun || /^(\d\d)\1$/.test(tail)) return 'gold';
  if (/(\d)\1\1/.test(tail) || /00$/.test(tail)) return 'silver';
  return 'standard';
}
