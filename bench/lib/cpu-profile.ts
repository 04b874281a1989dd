/**
 * Where the CPU went, from a V8 CPU profile (the `.cpuprofile` that `node --cpu-prof` writes and the
 * inspector's Profiler returns): self and inclusive time per function and self time per file.
 */

/** The parts of a V8 `.cpuprofile` read here. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the profiled time. */
export interface FunctionCost {
  fn: string;
  /** µs sampled in the function itself. */
  selfUs: number;
  /** µs sampled in the function or anything it called (recursion counted once). */
  totalUs: number;
}

/** The summary: totals, the heaviest functions both ways and the heaviest files. */
export interface ProfileSummary {
  sampledUs: number;
  bySelf: FunctionCost[];
  byTotal: FunctionCost[];
  byFile: Array<{ file: string; selfUs: number }>;
  /** Self time per area (SummaryOptions.areas, first match wins; the rest under `other`). */
  byArea: Array<{ area: string; selfUs: number }>;
}

/** A readable place for a frame: the file relative to the repository (or the package), and line. */
function where(url: string, root: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

function nameOf(frame: CpuProfile['nodes'][number]['callFrame'], root: string): string {
  const file = where(frame.url, root);
  return file === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** What to leave out of a summary. */
export interface SummaryOptions {
  /** How many functions and files to keep in each list (default 15). */
  top?: number;
  /** Samples with a frame whose name matches are dropped (e.g. the profiler's own stop). */
  dropStacksWith?: RegExp;
  /** Frames whose name matches are left out of the inclusive list (the harness around the work). */
  omitFrames?: RegExp;
  /** Named groups of files (matched against the file, or the frame name when it has none). */
  areas?: Array<[string, RegExp]>;
}

/** The frames of a sample, leaf first. */
function stackOf(id: number, parent: Map<number, number>): number[] {
  const out: number[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) out.push(at);
  return out;
}

/**
 * Summarise a profile.
 * @param profile - a V8 CPU profile
 * @param root - repository root, stripped from file paths
 * @param opts - list length and what to leave out
 */
export function summariseProfile(profile: CpuProfile, root: string, opts: SummaryOptions = {}): ProfileSummary {
  const top = opts.top ?? 15;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let sampledUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || us <= 0 || node.callFrame.functionName === '(idle)') return;
    type Frame = CpuProfile['nodes'][number]['callFrame'];
    const stack = stackOf(id, parent).map((at) => byId.get(at)?.callFrame).filter((f): f is Frame => f !== undefined && f.functionName !== '(root)');
    const names = stack.map((f) => nameOf(f, root));
    if (opts.dropStacksWith && names.some((n) => opts.dropStacksWith?.test(n))) return;
    sampledUs += us;
    const own = nameOf(node.callFrame, root);
    self.set(own, (self.get(own) ?? 0) + us);
    const file = where(node.callFrame.url, root) || own;
    files.set(file, (files.get(file) ?? 0) + us);
    for (const name of new Set(names)) {
      if (!opts.omitFrames?.test(name)) total.set(name, (total.get(name) ?? 0) + us);
    }
  });
  const cost = (fn: string): FunctionCost => ({ fn, selfUs: self.get(fn) ?? 0, totalUs: total.get(fn) ?? 0 });
  const heaviest = (m: Map<string, number>): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k]) => k);
  const areas = new Map<string, number>();
  for (const [file, us] of files) {
    const area = opts.areas?.find(([, re]) => re.test(file))?.[0] ?? 'other';
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  return {
    sampledUs,
    byArea: [...areas].sort((a, b) => b[1] - a[1]).map(([area, selfUs]) => ({ area, selfUs })),
    bySelf: heaviest(self).map(cost),
    byTotal: heaviest(total).map(cost),
    byFile: [...files].sort((a, b) => b[1] - a[1]).slice(0, top).map(([file, selfUs]) => ({ file, selfUs })),
  };
}

/**
 * The summary as text, in µs per unit of work (e.g. per registration) and % of the sampled time.
 * @param s - the summary
 * @param units - units of work done while profiling
 * @param unit - their name
 */
export function profileText(s: ProfileSummary, units: number, unit: string): string {
  const pct = (us: number): string => `${((100 * us) / Math.max(1, s.sampledUs)).toFixed(1).padStart(5)} %`;
  const per = (us: number): string => `${(us / Math.max(1, units)).toFixed(1).padStart(7)} µs/${unit}`;
  const lines = [`sampled ${(s.sampledUs / 1000).toFixed(0)} ms over ${units} ${unit}s (${per(s.sampledUs).trim()})`, '', 'self time (the function itself):'];
  for (const f of s.bySelf) lines.push(`  ${pct(f.selfUs)} ${per(f.selfUs)}  ${f.fn}`);
  lines.push('', 'inclusive time (the function and what it called):');
  for (const f of s.byTotal) lines.push(`  ${pct(f.totalUs)} ${per(f.totalUs)}  ${f.fn}`);
  lines.push('', 'self time by area:');
  for (const a of s.byArea) lines.push(`  ${pct(a.selfUs)} ${per(a.selfUs)}  ${a.area}`);
  lines.push('', 'self time by file:');
  for (const f of s.byFile) lines.push(`  ${pct(f.selfUs)} ${per(f.selfUs)}  ${f.file}`);
  return `${lines.join('\n')}\n`;
}
