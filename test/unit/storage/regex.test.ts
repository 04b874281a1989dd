import { escapeRegex } from '../../../src/storage/regex';

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
