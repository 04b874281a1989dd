/**
 * Identifier reliability learned from the data: check digits, conflict counts among confident pairs,
 * the verdict (unreliable only on evidence), and what a conflict then does under the rule set.
 */
import { checkDigitBit, checkDigitMask, withCheckDigit } from '../../../../src/registry/matching/check-digits';
import { agreementTreatment, conflictTreatment, matchRulesSchema } from '../../../../src/registry/matching';
import { judge } from '../../../../src/registry/matching/reliability';
import type { IdentifierReliability } from '../../../../src/registry/matching';

describe('check digits', () => {
  test.each([
    ['79927398713', 'luhn'],
    ['0000000218250097', 'mod11-2'],
    ['000000021694233X', 'mod11-2'],
  ] as const)('%s passes %s (published test values: Luhn; ORCID uses ISO 7064 MOD 11-2)', (value, algorithm) => {
    expect(checkDigitMask(value) & checkDigitBit(algorithm)).not.toBe(0);
  });

  test('fewer than six digits claim no check digit', () => {
    expect(checkDigitMask('AB1234')).toBe(0);
  });

  test.each(['luhn', 'verhoeff', 'damm'] as const)('%s: a generated check digit passes; every single-digit error and transposition of it fails', (algorithm) => {
    const value = withCheckDigit('12345678901', algorithm);
    const bit = checkDigitBit(algorithm);
    expect(checkDigitMask(value) & bit).not.toBe(0);
    for (let i = 0; i < value.length; i++) {
      const wrong = value.slice(0, i) + String((Number(value[i]) + 1) % 10) + value.slice(i + 1);
      expect(checkDigitMask(wrong) & bit).toBe(0);
    }
    const swapped = value.slice(0, 3) + value[4] + value[3] + value.slice(5);
    if (algorithm !== 'luhn' && swapped !== value) expect(checkDigitMask(swapped) & bit).toBe(0);
  });
});

describe('judge', () => {
  const counts = (pairs: number, conflict: number, checkDigit?: 'verhoeff'): Omit<IdentifierReliability, 'reliable'> => ({ values: 500, pairs, agree: pairs - conflict, typo: 0, conflict, ...(checkDigit ? { checkDigit } : {}) });

  test.each([
    ['no evidence keeps the hard rule', counts(5, 2), true],
    ['a system that rarely conflicts is reliable', counts(1000, 3), true],
    ['a system that conflicts in 4 % of confident pairs is not', counts(5000, 200), false],
    ['a check digit makes a system reliable whatever its conflicts', counts(5000, 200, 'verhoeff'), true],
  ])('%s', (_name, c, reliable) => {
    expect(judge(new Map([['urn:x', c]]))['urn:x']?.reliable).toBe(reliable);
  });
});

describe('conflictTreatment: explicit settings override what was learned', () => {
  const rules = (over: Record<string, unknown> = {}): ReturnType<typeof matchRulesSchema.parse> => matchRulesSchema.parse(over);
  test.each([
    ['learned reliable', rules(), false, { hard: true, because: 'learned' }],
    ['learned unreliable', rules(), true, { hard: false, because: 'learned' }],
    ['review for all', rules({ identifierConflict: 'review' }), true, { hard: true, because: 'MATCH_IDENTIFIER_CONFLICT=review' }],
    ['score for all', rules({ identifierConflict: 'score' }), false, { hard: false, because: 'MATCH_IDENTIFIER_CONFLICT=score' }],
    ['listed as scored', rules({ scoredIdentifierSystems: ['urn:x'] }), false, { hard: false, because: 'MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS' }],
    ['listed as reviewed', rules({ reviewedIdentifierSystems: ['urn:x'] }), true, { hard: true, because: 'MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS' }],
  ])('%s', (_name, r, unreliable, expected) => {
    expect(conflictTreatment('urn:x', unreliable, r)).toEqual(expected);
  });
});

describe('agreementTreatment: a shared value proves one person only in a system the matcher trusts', () => {
  const rules = (over: Record<string, unknown> = {}): ReturnType<typeof matchRulesSchema.parse> => matchRulesSchema.parse(over);
  test.each([
    ['learned reliable', rules(), false, { proves: true, because: 'learned' }],
    ['learned unreliable', rules(), true, { proves: false, because: 'learned' }],
    ['score for all conflicts: agreement still follows the learning', rules({ identifierConflict: 'score' }), true, { proves: false, because: 'learned' }],
    ['review for all: every system trusted', rules({ identifierConflict: 'review' }), true, { proves: true, because: 'MATCH_IDENTIFIER_CONFLICT=review' }],
    ['listed as scored', rules({ scoredIdentifierSystems: ['urn:x'] }), false, { proves: false, because: 'MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS' }],
    ['listed as reviewed', rules({ reviewedIdentifierSystems: ['urn:x'] }), true, { proves: true, because: 'MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS' }],
  ])('%s', (_name, r, unreliable, expected) => {
    expect(agreementTreatment('urn:x', unreliable, r)).toEqual(expected);
  });
});
