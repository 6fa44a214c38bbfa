/** Middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Median of a[i] / b[i]: each ratio compares two figures taken in the same round, so a slow
 * moment of a busy machine hits both sides of it.
 */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  const rounds = Math.min(a.length, b.length)
  return median(Array.from({length: rounds}, (_, round) => a[round]! / b[round]!))
}

/**
 * Runs every measurement once per round, in turn, `rounds` times; returns each one's samples
 * under its name. Interleaving keeps the machine's slow moments spread over all of them.
 */
export async function interleave<K extends string>(rounds: number, measures: Record<K, () => Promise<number>>): Promise<Record<K, number[]>> {
  const names = Object.keys(measures) as K[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples[name].push(await measures[name]())
  }
  return samples
}
