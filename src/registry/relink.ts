/**
 * Re-link job: after a model or rule change, re-score every automatically linked source record and
 * list (dry run) or apply the moves. Manual links are never touched and not-a-match constraints are
 * honoured. Each applied move is its own recorded change with its own event.
 */
import type { Actor } from '../core/types';
import type { MatchModel } from './matching/contract';
import type { RegistryContext } from './context';
import { chooseLink, scoreCandidates, xrefGoldens } from './candidates';
import { runChange } from './journal';
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
  const constraints = await ctx.store.constraints.forSource(src.key);
  const xref = (await xrefGoldens(ctx, [...(src.patient.identifier ?? []), { system: src.system, value: src.value }])).filter((m) => m !== src.goldenId);
  const extra = src.goldenId ? [...xref, src.goldenId] : xref;
  const scored = await scoreCandidates(ctx, src.features, model, { excludeSourceKey: src.key, extraGoldens: extra });
  const d = chooseLink(ctx, scored, { xref, constraints });
  const from = src.goldenId;
  if (d.target && d.target.golden.mpiId !== from) {
    return { sourceKey: src.key, from, to: d.target.golden.mpiId, score: d.target.result.probability };
  }
  const currentGolden = from ? await ctx.store.goldens.get(from) : null;
  const alone = !currentGolden || currentGolden.sourceKeys.every((k) => k === src.key);
  if (d.decision.outcome === 'new' && !alone) {
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
  const total = await ctx.store.sources.count();
  const diffs: RelinkDiff[] = [];
  let done = 0;
  let after: string | null = null;
  for (;;) {
    const page = await ctx.store.sources.page(after, opts.pageSize ?? 200);
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
  const locks = [`src:${diff.sourceKey}`, ...[diff.from, diff.to].filter((m): m is string => !!m && m !== 'new').map((m) => `g:${m}`)];
  await runChange(ctx, { operation: 'relink', actor, locks }, async (b) => {
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
