/**
 * EM's structural constraints (em.ts): a floor keeps a level of a small class from collapsing to
 * nothing, taking what it gains from the levels that give way.
 */
import { applyFloor, tieLevels } from '../../../../src/registry/matching/em';

describe('applyFloor', () => {
  it('raises the floored levels to the source and takes the gain from the giving levels in proportion', () => {
    // Level 0 is the null level (always 0); 1-2 tied elsewhere, 3-4 floored, 5 gives way.
    const row = [0, 0.01, 0.01, 0.00001, 0.2, 0.77999];
    applyFloor(row, [0, 0, 0, 0.002, 0.05, 0], [3, 4], [5]);
    expect(row[3]).toBeCloseTo(0.002, 12);
    expect(row[4]).toBeCloseTo(0.2, 12);
    expect(row[5]).toBeCloseTo(0.77999 - (0.002 - 0.00001), 12);
    expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('changes nothing when the levels are already above the floor, and never drives a giving level below zero', () => {
    const above = [0, 0.5, 0.3, 0.2];
    applyFloor(above, [0, 0.1, 0.1, 0], [1, 2], [3]);
    expect(above).toEqual([0, 0.5, 0.3, 0.2]);
    const scarce = [0, 0.0, 0.99, 0.01];
    applyFloor(scarce, [0, 0.5, 0, 0], [1], [3]);
    expect(scarce[3]).toBe(0);
    expect(scarce[1]).toBeCloseTo(0.01, 12);
  });

  it('keeps what tieLevels fixed when the tied levels are not among those it touches', () => {
    const tied = tieLevels([0, 0.2, 0.2, 0.0, 0.6], [0, 0.01, 0.02, 0.001, 0.969], [1, 2]);
    applyFloor(tied, [0, 0.01, 0.02, 0.001, 0.969], [3], [4]);
    expect(tied.slice(1, 3)).toEqual([0.01, 0.02]);
    expect(tied[3]).toBeCloseTo(0.001, 12);
    expect(tied.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});
