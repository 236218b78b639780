/** "1 change", "2 changes": a count with its noun in the right number (the plural is given when not just +s). */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
