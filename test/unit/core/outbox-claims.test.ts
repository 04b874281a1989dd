import { claimable, newClaimant, publishable } from '../../../src/core/outbox-claims';
import type { EntryStanding, WalkEntry } from '../../../src/core/outbox-claims';

const e = (id: string, keys: string[], size = 1): WalkEntry => ({ id, keys, size });
const walk = (entries: WalkEntry[], standing: Record<string, EntryStanding>, limit = 100): string[] => publishable(entries, (x) => standing[x.id] ?? 'mine', limit).map((x) => x.id);

describe('the order walk of outbox claims', () => {
  test('an entry held elsewhere blocks every later entry on its keys, and those block theirs in turn', () => {
    const entries = [e('a', ['K1']), e('b', ['K2']), e('c', ['K1', 'K3']), e('d', ['K3']), e('e', ['K4'])];
    expect(walk(entries, { a: 'blocking' })).toEqual(['b', 'e']);
  });

  test('a published entry blocks nothing; entries without keys never wait', () => {
    expect(walk([e('a', ['K1']), e('b', ['K1'])], { a: 'done' })).toEqual(['b']);
    expect(walk([e('a', []), e('b', [])], { a: 'blocking' })).toEqual(['b']);
  });

  test('the limit counts events, never splits an entry, and takes a first entry whatever its size', () => {
    expect(walk([e('a', ['K1'], 3), e('b', ['K2'], 3), e('c', ['K3'], 1)], {}, 4)).toEqual(['a']);
    expect(walk([e('a', ['K1'], 9), e('b', ['K2'])], {}, 4)).toEqual(['a']);
  });

  test('claimable: unclaimed, own or expired', () => {
    expect(claimable({}, 'me', 1000)).toBe(true);
    expect(claimable({ claimedBy: 'me', claimUntil: 5000 }, 'me', 1000)).toBe(true);
    expect(claimable({ claimedBy: 'other', claimUntil: 5000 }, 'me', 1000)).toBe(false);
    expect(claimable({ claimedBy: 'other', claimUntil: 500 }, 'me', 1000)).toBe(true);
  });

  test('a claimant is unique per process start even with one INSTANCE_ID', () => {
    expect(newClaimant('passerelle', 1000).holder).not.toBe(newClaimant('passerelle', 1000).holder);
  });
});
