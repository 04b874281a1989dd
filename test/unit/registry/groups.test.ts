import { Groups } from '../../../src/registry/memory/groups';

describe('Groups (the memory twin\'s secondary index)', () => {
  test('members keep insertion order through the one-member and many-member forms', () => {
    const g = new Groups();
    g.add('k', 'a');
    g.add('k', 'a');
    expect(g.members('k')).toEqual(['a']);
    g.add('k', 'b');
    g.add('k', 'c');
    expect(g.members('k')).toEqual(['a', 'b', 'c']);
    expect(g.size('k')).toBe(3);
    g.delete('k', 'b');
    g.delete('k', 'a');
    expect(g.members('k')).toEqual(['c']);
    g.add('k', 'd');
    expect(g.members('k')).toEqual(['c', 'd']);
  });

  test('deleting the last member forgets the group; absent groups and members are no-ops', () => {
    const g = new Groups();
    g.delete('none', 'x');
    g.add('k', 'a');
    g.delete('k', 'other');
    expect(g.members('k')).toEqual(['a']);
    g.delete('k', 'a');
    expect(g.size('k')).toBe(0);
    expect(g.members('k')).toEqual([]);
    g.add('k', 'a');
    g.add('k', 'b');
    g.delete('k', 'a');
    g.delete('k', 'b');
    expect(g.size('k')).toBe(0);
  });

  test('pick reads members from their primary map and skips ones no longer there', () => {
    const g = new Groups();
    const map = new Map([['a', 1], ['c', 3]]);
    g.add('k', 'a');
    g.add('k', 'b');
    g.add('k', 'c');
    expect(g.pick('k', map)).toEqual([1, 3]);
    expect(g.pick('missing', map)).toEqual([]);
  });
});
