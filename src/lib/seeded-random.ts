/**
 * A repeatable pseudo-random generator (Park–Miller), for demo data, benchmarks and tests that must draw
 * the same "random" values on every machine. Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}
