import { mulberry32 } from '../../../src/registry/matching';
import { normalizeSearchText } from '../../../src/registry/search-fields';

describe('normalizeSearchText', () => {
  test.each([
    ['  Ndèye  Fatou ', 'NDEYE FATOU'],
    ['Aïssatou', 'AISSATOU'],
    ['o\'brien', 'O\'BRIEN'],
    ['\tDiop\n', 'DIOP'],
  ])('%j → %j', (raw, normal) => {
    expect(normalizeSearchText(raw)).toBe(normal);
  });

  test('printable ASCII (the fast path) gives what the accent pass gives (property: a trailing combining mark sends it through that pass)', () => {
    const rand = mulberry32(12);
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(rand() * 40) }, () => String.fromCharCode(0x20 + Math.floor(rand() * 95))).join('');
      expect(normalizeSearchText(s)).toBe(normalizeSearchText(`${s}\u0301`));
    }
  });
});
