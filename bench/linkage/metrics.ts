/**
 * Linkage metrics (contracts.md §4): pairwise precision/recall/F1 over unordered record pairs
 * within clusters, B-cubed cluster precision/recall/F1, false merges, and blocking pair completeness.
 */

/** Pairwise and cluster metrics. */
export interface LinkageMetrics {
  records: number;
  entities: number;
  truePairs: number;
  predictedPairs: number;
  precision: number;
  recall: number;
  f1: number;
  clusterPrecision: number;
  clusterRecall: number;
  clusterF1: number;
  falseMerges: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;
const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function countBy(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * Compare predicted clusters with true entities.
 * @param predicted - predicted cluster id per record
 * @param truth - true entity id per record (same order)
 * @returns the metrics
 */
export function linkageMetrics(predicted: string[], truth: string[]): LinkageMetrics {
  const byCluster = countBy(predicted);
  const byEntity = countBy(truth);
  const cells = countBy(predicted.map((c, i) => `${c}\u0000${truth[i]}`));
  let truePairs = 0;
  let predictedPairs = 0;
  let tp = 0;
  for (const n of byEntity.values()) truePairs += pairs(n);
  for (const n of byCluster.values()) predictedPairs += pairs(n);
  for (const n of cells.values()) tp += pairs(n);
  let bp = 0;
  let br = 0;
  predicted.forEach((c, i) => {
    const both = cells.get(`${c}\u0000${truth[i]}`) as number;
    bp += both / (byCluster.get(c) as number);
    br += both / (byEntity.get(truth[i] as string) as number);
  });
  const entitiesPerCluster = new Map<string, Set<string>>();
  predicted.forEach((c, i) => {
    const set = entitiesPerCluster.get(c) ?? new Set<string>();
    set.add(truth[i] as string);
    entitiesPerCluster.set(c, set);
  });
  const n = predicted.length || 1;
  const precision = predictedPairs === 0 ? 1 : tp / predictedPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  return {
    records: predicted.length,
    entities: byEntity.size,
    truePairs,
    predictedPairs,
    precision: round(precision),
    recall: round(recall),
    f1: round(f1(precision, recall)),
    clusterPrecision: round(bp / n),
    clusterRecall: round(br / n),
    clusterF1: round(f1(bp / n, br / n)),
    falseMerges: [...entitiesPerCluster.values()].filter((s) => s.size > 1).length,
  };
}

/**
 * Blocking pair completeness: the share of true pairs in which one record had the other among its
 * candidates.
 * @param candidates - per record, the indices of records it was compared with
 * @param truth - true entity id per record
 * @returns pair completeness 0..1 (1 when there are no true pairs)
 */
export function pairCompleteness(candidates: ReadonlyArray<ReadonlyArray<number>>, truth: string[]): number {
  const byEntity = countBy(truth);
  let truePairs = 0;
  for (const n of byEntity.values()) truePairs += pairs(n);
  if (truePairs === 0) return 1;
  const found = new Set<string>();
  candidates.forEach((list, i) => {
    for (const j of list) {
      if (j === i || truth[i] !== truth[j]) continue;
      found.add(i < j ? `${i},${j}` : `${j},${i}`);
    }
  });
  return round(found.size / truePairs);
}

/**
 * Golden records holding two different entities that share a relation (one household, one twin set):
 * the merges a ministry fears most.
 * @param predicted - predicted cluster id per record
 * @param truth - true entity id per record
 * @param relation - the relation value per record ('' or undefined when none)
 * @returns the number of such golden records
 */
export function relationMerges(predicted: string[], truth: string[], relation: ReadonlyArray<string | undefined>): number {
  const perCluster = new Map<string, Map<string, Set<string>>>();
  predicted.forEach((c, i) => {
    const r = relation[i];
    if (!r) return;
    const byRelation = perCluster.get(c) ?? new Map<string, Set<string>>();
    const entities = byRelation.get(r) ?? new Set<string>();
    entities.add(truth[i] as string);
    byRelation.set(r, entities);
    perCluster.set(c, byRelation);
  });
  let merges = 0;
  for (const byRelation of perCluster.values()) if ([...byRelation.values()].some((e) => e.size > 1)) merges++;
  return merges;
}
