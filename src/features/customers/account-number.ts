/** Account numbers are "LD" and seven digits: short to read out on the phone, sortable, unique. */
export function accountNumberFor(sequence: number): string {
  return `LD${String(sequence).padStart(7, '0')}`;
}
