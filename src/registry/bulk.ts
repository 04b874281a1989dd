/**
 * The bulk path: a page of registrations (a channel page, a FHIR batch, an evaluation batch) matched
 * against the registry and against each other, committed as ONE change.
 *
 * The page runs as an atomic unit (atomic.ts): each record is registered in order by the ordinary
 * registration against a staging view, so the decisions are those of registering them one at a time.
 * The view stages over a prefetch of the committed store: ONE lookup for every record's keys, one read
 * of the records re-sent and one of the golden records concerned; every registration's reads are
 * answered from it (anything it does not hold is read from the store). The folded change carries the
 * page's lookups merged into one query, re-read once at commit. A page too large for one change is
 * split in two.
 */
import { MediatorError } from '../core/errors';
import type { BulkItemResult, RegisterSourceInput } from './api';
import type { RegistryContext } from './context';
import { runAtomically } from './atomic';
import { lookupQuery } from './candidate-lookup';
import { covers, indexResult, mergeQueries, narrow } from './lookup-query';
import { probeOf, registerEach } from './register';
import type { LookupQuery, LookupResult, RecordStore, RegistryStore, StoredGolden, StoredSource } from './store';

/** What a page's registrations will read, read ahead in three queries. */
interface Prefetch {
  query: LookupQuery;
  result: LookupResult;
  sources: Map<string, StoredSource>;
  goldens: Map<string, StoredGolden>;
}

/** What a prefetch needs of a registration: its Patient and, if given, its own identifier. */
type Likely = Pick<RegisterSourceInput, 'patient' | 'sourceIdentifier'>;

async function prefetch(ctx: RegistryContext, base: RecordStore, inputs: Likely[]): Promise<Prefetch> {
  const probes = inputs.flatMap((input) => {
    try {
      return [probeOf(ctx, input)];
    } catch {
      return []; // refused by the registration itself, in its slot
    }
  });
  const query = mergeQueries(probes.map((p) => lookupQuery(ctx, p).query));
  const result = await base.lookup(query);
  const own = new Set(probes.map((p) => p.ownKey));
  const resent = result.sources.filter((s) => own.has(s.key)).map((s) => s.key);
  const goldenIds = [...new Set([...result.sources.flatMap((s) => (s.goldenId ? [s.goldenId] : [])), ...result.xref.map((e) => e.mpiId)])];
  const [sources, goldens] = await Promise.all([resent.length > 0 ? base.sources(resent) : [], goldenIds.length > 0 ? base.goldens(goldenIds) : []]);
  return { query, result, sources: new Map(sources.map((s) => [s.key, s])), goldens: new Map(goldens.map((g) => [g.mpiId, g])) };
}

/** The committed records as the page sees them: answered from the prefetch where it can. */
function prefetchedRecords(base: RecordStore, p: Prefetch): RecordStore {
  const broad = { keys: new Set(p.query.keys), refined: new Map((p.query.refined ?? []).map((r) => [r.rf, new Set(r.keys)])) };
  const index = indexResult(p.result);
  const xrefKeys = new Set(p.query.keys.filter((k) => k.startsWith('x:')).map((k) => k.slice(2)));
  return {
    ...base,
    lookup: async (q) => (covers(broad, q) ? narrow(index, q) : base.lookup(q)),
    source: async (key) => p.sources.get(key) ?? base.source(key),
    golden: async (id) => p.goldens.get(id) ?? base.golden(id),
    goldens: async (ids) => {
      const missing = ids.filter((id) => !p.goldens.has(id));
      return [...ids.flatMap((id) => (p.goldens.has(id) ? [p.goldens.get(id) as StoredGolden] : [])), ...(missing.length > 0 ? await base.goldens(missing) : [])];
    },
    xref: async (keys) => {
      const missing = keys.filter((k) => !xrefKeys.has(k));
      const known = p.result.xref.filter((e) => keys.includes(e.key));
      return [...known, ...(missing.length > 0 ? await base.xref(missing) : [])];
    },
  };
}

/**
 * The base view of a unit that will likely register these records: the committed store answered
 * from a prefetch of their lookups (made afresh for each attempt).
 * @param ctx - registry context
 * @param likely - the records' Patients (and own identifiers)
 */
export function prefetchFor(ctx: RegistryContext, likely: Likely[]): (base: RegistryStore) => Promise<RegistryStore> {
  return async (base) => ({ ...base, records: prefetchedRecords(base.records, await prefetch(ctx, base.records, likely)) });
}

async function registerPage(ctx: RegistryContext, inputs: RegisterSourceInput[]): Promise<BulkItemResult[]> {
  const actor = (inputs[0] as RegisterSourceInput).actor;
  return runAtomically(ctx, actor, (staged) => registerEach(staged, inputs), { operation: 'bulk-register', prepare: prefetchFor(ctx, inputs) });
}

/**
 * Register a page of source records with the same decisions as one at a time in this order; one
 * result per input. Inside an atomic unit the records simply join it.
 * @param ctx - registry context
 * @param inputs - the page
 */
export async function registerMany(ctx: RegistryContext, inputs: RegisterSourceInput[]): Promise<BulkItemResult[]> {
  if (inputs.length === 0) return [];
  if (ctx.unit) return registerEach(ctx, inputs);
  try {
    return await registerPage(ctx, inputs);
  } catch (err) {
    if (!(err instanceof MediatorError) || err.code !== 'too-large' || inputs.length < 2) throw err;
    const half = Math.ceil(inputs.length / 2);
    return [...(await registerMany(ctx, inputs.slice(0, half))), ...(await registerMany(ctx, inputs.slice(half)))];
  }
}
