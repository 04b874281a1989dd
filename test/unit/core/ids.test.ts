import { uuidFrom, uuidV7 } from '../../../src/core/ids';

describe('uuidV7', () => {
  test('is a version 7, variant 10 UUID carrying the millisecond', () => {
    const id = uuidV7(1_700_000_000_123);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(1_700_000_000_123);
  });

  test('ids made in one millisecond sort in the order they were made, even past 4,096 of them', () => {
    const ids = Array.from({ length: 5000 }, () => uuidV7(1_800_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5000);
  });

  test('a clock stepping back keeps the order', () => {
    const a = uuidV7(1_900_000_000_000);
    const b = uuidV7(1_899_999_999_000);
    expect(b > a).toBe(true);
  });
});

describe('uuidFrom', () => {
  test('the same name gives the same version 8 UUID; another name another', () => {
    const a = uuidFrom('entry-1:0');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFrom('entry-1:0')).toBe(a);
    expect(uuidFrom('entry-1:1')).not.toBe(a);
  });
});
