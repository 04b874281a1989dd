/**
 * Re-link job: after a model or rule change, re-score every automatically linked source record and
 * list (dry run) or apply the moves. Manual links are never touched and not-a-match constraints are
 * honoured. Each applied move is its own recorded change with its own event.
 */
import type { Actor } from '../core/types';
import type { MatchModel } from './matching/contract';
import type { RegistryContext } from './context';
import { decide } from './candidates';
import { searchCandidates } from './candidate-lookup';
import { runChange } from './change-runner';
import { identifierKey, leaseKey } from './keys';
import type { StoredSource } from './store';

/** One proposed move. */
export interface RelinkDiff {
  sourceKey: string;
  from: string | null;
  /** Target MPI ID, or 'new' for a new golden record. */
  to: string;
  score?: number;
}

/** Options of a re-link run. */
export interface RelinkOptions {
  dryRun: boolean;
  /** Model to score with (default: the active one). */
  model?: MatchModel;
  actor: Actor;
  pageSize?: number;
  onProgress?: (p: { done: number; total: number; changes: number }) => void;
}

async function proposal(ctx: RegistryContext, src: StoredSource, model: MatchModel): Promise<RelinkDiff | null> {
  const identifierKeys = [identifierKey(src), ...(src.patient.identifier ?? []).filter((i) => i.system && i.value).map((i) => identifierKey({ system: i.system as string, value: i.value as string }))];
  const search = await searchCandidates(ctx, { features: src.features, identifierKeys: [...new Set(identifierKeys)], ownKey: src.key }, model, { extraGoldens: src.goldenId ? [src.goldenId] : [] });
  const xref = search.xref.filter((m) => m !== src.goldenId);
  const d = decide(ctx, search.scored, { xref, constraints: src.notAMatch, membersOf: search.membersOf });
  const from = src.goldenId;
  if (d.action === 'link' && d.target && d.target.mpiId !== from) {
    return { sourceKey: src.key, from, to: d.target.mpiId, score: d.target.result.probability };
  }
  const currentGolden = from ? await ctx.store.records.golden(from) : null;
  const alone = !currentGolden || currentGolden.sourceKeys.every((k) => k === src.key);
  if (d.action === 'new' && !alone) {
    return { sourceKey: src.key, from, to: 'new' };
  }
  return null;
}

/**
 * Re-score automatic links; returns the moves (made unless `dryRun`).
 * @param ctx - registry context
 * @param opts - dry run, model, actor, progress callback
 */
export async function relink(ctx: RegistryContext, opts: RelinkOptions): Promise<RelinkDiff[]> {
  const model = opts.model ?? (await ctx.model());
  const total = await ctx.store.records.countSources();
  const diffs: RelinkDiff[] = [];
  let done = 0;
  let after: string | null = null;
  for (;;) {
    const page = await ctx.store.records.page(after, opts.pageSize ?? 200);
    if (page.length === 0) {
      break;
    }
    for (const src of page) {
      done += 1;
      if (src.active && src.linkState === 'auto') {
        const diff = await proposal(ctx, src, model);
        if (diff) {
          diffs.push(diff);
          if (!opts.dryRun) {
            await applyMove(ctx, diff, opts.actor);
          }
        }
      }
    }
    after = page[page.length - 1]?.key ?? null;
    opts.onProgress?.({ done, total, changes: diffs.length });
  }
  return diffs;
}

async function applyMove(ctx: RegistryContext, diff: RelinkDiff, actor: Actor): Promise<void> {
  const leases = [leaseKey.source(diff.sourceKey), ...[diff.from, diff.to].filter((m): m is string => !!m && m !== 'new').map(leaseKey.golden)];
  await runChange(ctx, { operation: 'relink', actor, leases }, async (b) => {
    const src = await b.source(diff.sourceKey);
    // Skip if a steward or another change moved it since the proposal was made.
    if (!src || src.linkState !== 'auto' || src.goldenId !== diff.from) {
      return () => undefined;
    }
    if (diff.to === 'new') {
      const g = b.createGolden();
      await b.moveSource(src, g.mpiId, 'auto');
      b.patientEvent('unlinked', g.mpiId, diff.from ? { mpiId: diff.from } : undefined);
    } else {
      await b.moveSource(src, diff.to, 'auto', diff.score);
      b.patientEvent('linked', diff.to, diff.from ? { mpiId: diff.from } : undefined);
    }
    return () => undefined;
  });
}
