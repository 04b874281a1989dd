import { mulberry32 } from '../../../src/registry/matching';
import { printableAscii } from '../../helpers/random-text';
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
      const s = printableAscii(rand, 40);
      expect(normalizeSearchText(s)).toBe(normalizeSearchText(`${s}\u0301`));
    }
  });
});
