import { createMpiIdCodec, MPI_ALPHABET } from '../../../src/registry/mpi-id';

const SYMBOLS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('MPI IDs', () => {
  const codec = createMpiIdCodec();
  const now = new Date('2026-03-01T00:00:00Z');
  const sample = Array.from({ length: 300 }, () => codec.generate(now));

  test('default shape: SN-DKR-26- then 8 unambiguous characters', () => {
    for (const id of sample) {
      expect(id).toMatch(new RegExp(`^SN-DKR-26-[${MPI_ALPHABET}]{8}$`));
      expect(id).not.toMatch(/[ILOU]/);
      expect(codec.isValid(id)).toBe(true);
    }
  });

  test('every single substitution fails validation (exhaustive over 0-9A-Z and the dash)', () => {
    let checked = 0;
    for (const id of sample) {
      for (let i = 0; i < id.length; i++) {
        for (const c of `${SYMBOLS}-`) {
          if (c !== id[i]) {
            const typo = id.slice(0, i) + c + id.slice(i + 1);
            expect(codec.isValid(typo)).toBe(false);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(300 * 18 * 36);
  });

  test('every swap of two adjacent different characters fails validation', () => {
    for (const id of sample) {
      for (let i = 0; i + 1 < id.length; i++) {
        if (id[i] !== id[i + 1]) {
          const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
          expect(codec.isValid(swapped)).toBe(false);
        }
      }
      // Adjacent in the compact form too (across a dash), e.g. "26-9X" -> "29-6X".
      const compact = id.replace(/-/g, '');
      for (let i = 0; i + 1 < compact.length; i++) {
        if (compact[i] !== compact[i + 1]) {
          const s = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
          const dashed = `${s.slice(0, 2)}-${s.slice(2, 5)}-${s.slice(5, 7)}-${s.slice(7)}`;
          expect(codec.isValid(dashed)).toBe(false);
        }
      }
    }
  });

  test('validate() canonicalises case and throws invalid otherwise', () => {
    const id = sample[0] as string;
    expect(codec.validate(` ${id.toLowerCase()} `)).toBe(id);
    expect(() => codec.validate(`${id}0`)).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(() => codec.validate('not-an-id')).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  test('configurable template', () => {
    const custom = createMpiIdCodec({ template: 'MPI-{yyyy}-{random10}', country: 'ML', region: 'BKO' });
    const id = custom.generate(now);
    expect(id).toMatch(/^MPI-2026-[0-9A-Z]{10}$/);
    expect(custom.isValid(id)).toBe(true);
    expect(() => createMpiIdCodec({ template: '{random8}-{country}', country: 'SN', region: 'X' })).toThrow();
  });
});
