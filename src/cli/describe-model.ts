/**
 * `npm run model -- show`: a model as a data steward reads it — the priors of each kind of pair,
 * per field and level the probabilities and weights (against unrelated people, and how much more a
 * household pair or twins show the level), and per identifier system what training learned about
 * its reliability and what a conflict does under the rule set (explicit settings override learning).
 */
import type { MatchModel } from '../registry/matching/contract';
import { agreementTreatment, conflictTreatment } from '../registry/matching/decide';
import type { MatchRules } from '../registry/matching/rules';
import { DEFAULT_RULES } from '../registry/matching/rules';

const bits = (top: number | undefined, u: number | undefined): string => (top && u && top > 0 && u > 0 ? Math.log2(top / u).toFixed(2) : '-');
const prob = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(5));

function header(model: MatchModel): string[] {
  const t = model.trainedBy;
  const how = t.records ? `, ${t.records} records, ${t.pairs ?? 0} pairs, ${t.iterations ?? 0} iterations, seed ${t.seed ?? '-'}` : '';
  const classes = model.householdLambda === undefined ? '' : `; household ${model.householdLambda.toExponential(3)}, twins ${(model.twinLambda ?? 0).toExponential(3)}`;
  return [`model ${model.version} (${t.method}${how})`, `created ${model.createdAt}; prior probability of a pair being the same person ${model.lambda.toExponential(3)}${classes}`, ''];
}

function fieldRows(model: MatchModel): string[] {
  const related = model.householdLambda !== undefined;
  const lines = [`field        level              m          u${related ? '          h          t' : ''}   weight(bits)${related ? ' household  twins' : ''}`];
  for (const [field, p] of Object.entries(model.fields)) {
    p.levels.forEach((level, i) => {
      if (i === 0) return;
      const cells = [field.padEnd(12), level.padEnd(15), prob(p.m[i]).padStart(9), prob(p.u[i]).padStart(10)];
      if (related) cells.push(prob(p.h?.[i]).padStart(10), prob(p.t?.[i]).padStart(10));
      cells.push(bits(p.m[i], p.u[i]).padStart(10));
      if (related) cells.push(bits(p.h?.[i], p.u[i]).padStart(9), bits(p.t?.[i], p.u[i]).padStart(7));
      lines.push(cells.join(' '));
    });
  }
  return lines;
}

function identifierRows(model: MatchModel, rules: MatchRules): string[] {
  const systems = Object.entries(model.identifierSystems ?? {});
  if (systems.length === 0) return ['', 'identifier systems: none learned (a conflict never auto-links unless MATCH_IDENTIFIER_CONFLICT* say otherwise)'];
  const lines = ['', `identifier systems (MATCH_IDENTIFIER_CONFLICT=${rules.identifierConflict})`, 'system                                        values  check digit  pairs  agree  typo  conflict   rate    learned     a conflict; a shared value'];
  for (const [system, r] of systems) {
    const rate = r.pairs > 0 ? `${((100 * r.conflict) / r.pairs).toFixed(2)} %` : '-';
    const conflict = conflictTreatment(system, !r.reliable, rules);
    const shared = agreementTreatment(system, !r.reliable, rules);
    lines.push([
      system.padEnd(44), String(r.values).padStart(7), (r.checkDigit ?? '-').padEnd(12), String(r.pairs).padStart(6), String(r.agree).padStart(6),
      String(r.typo).padStart(5), String(r.conflict).padStart(9), rate.padStart(8), (r.reliable ? 'reliable' : 'unreliable').padEnd(11),
      `${conflict.hard ? 'never auto-links' : 'weighs against the match'} (${conflict.because}); ${shared.proves ? 'links whatever the demographics' : 'weighs for the match'} (${shared.because})`,
    ].join(' '));
  }
  return lines;
}

/**
 * Render a model as a readable table.
 * @param model - the model to show
 * @param rules - the rule set in force (how a conflict is treated); default: DEFAULT_RULES
 */
export function describeModel(model: MatchModel, rules: MatchRules = DEFAULT_RULES): string {
  return [...header(model), ...fieldRows(model), ...identifierRows(model, rules)].join('\n');
}
