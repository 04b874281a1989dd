import { mulberry32 } from '../../../src/registry/matching/prng';
import { elementStartsWith, escapeRegex, prefixRange, startsWith } from '../../../src/storage/regex';

describe('escapeRegex', () => {
  test.each([
    'a.b', 'a*', 'a+b?', '^start$', '${x}', '(a|b)', '[abc]', 'back\\slash', 'a-b', 'a/b', '.*', "O'Neil",
  ])('%s matches only itself', (text) => {
    const re = new RegExp(`^${escapeRegex(text)}$`);
    expect(re.test(text)).toBe(true);
    expect(re.test(`${text}x`)).toBe(false);
    expect(re.test(text.replace(/./, 'Z'))).toBe(text.startsWith('Z'));
  });

  test('a prefix search built from it is anchored and literal', () => {
    const re = new RegExp(`^${escapeRegex('NDI.')}`);
    expect(re.test('NDI.AYE')).toBe(true);
    expect(re.test('NDIAYE')).toBe(false);
  });
});

/** BSON orders strings by their UTF-8 bytes (simple collation). */
const bsonCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** A random string over a small alphabet that crosses the byte-length boundaries of UTF-8. */
function randomText(rand: () => number, max: number): string {
  const alphabet = ['A', 'B', 'Z', '~', '\u007f', '\u0080', 'É', 'Ÿ', '\u07ff', '\u0800', 'ß', '中', '\ufffe', '😀'];
  return Array.from({ length: Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * alphabet.length)] as string).join('');
}

describe('prefix conditions as index ranges', () => {
  test('a string lies in the range of a prefix exactly when it starts with it, in BSON order (property)', () => {
    const rand = mulberry32(20261208);
    let ranged = 0;
    for (let i = 0; i < 20_000; i++) {
      const prefix = randomText(rand, 4);
      const text = rand() < 0.5 ? `${prefix}${randomText(rand, 3)}` : randomText(rand, 6);
      const range = prefixRange(prefix);
      if (!range) continue;
      ranged++;
      const inRange = bsonCompare(text, range.$gte) >= 0 && bsonCompare(text, range.$lt) < 0;
      expect([prefix, text, inRange]).toEqual([prefix, text, text.startsWith(prefix)]);
    }
    expect(ranged).toBeGreaterThan(10_000);
  });

  test.each([[''], ['AB\ud83d'], ['😀'], ['A\uffff']])('%j has no simple range and stays a literal regex', (prefix) => {
    expect(prefixRange(prefix)).toBeNull();
    expect(startsWith(prefix)).toEqual({ $regex: `^${escapeRegex(prefix)}` });
  });

  test('an array field is matched element by element (both bounds on one element)', () => {
    expect(elementStartsWith('NDI')).toEqual({ $elemMatch: { $gte: 'NDI', $lt: 'NDJ' } });
    expect(startsWith('dhis2|')).toEqual({ $gte: 'dhis2|', $lt: 'dhis2}' });
    // Metacharacters are literal in a range as in the regex.
    expect(startsWith('N.D')).toEqual({ $gte: 'N.D', $lt: 'N.E' });
  });
});
