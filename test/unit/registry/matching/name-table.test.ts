/**
 * The regional name table: shipped knowledge, a ministry's own file added without a rebuild, and a
 * clear error naming each bad line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNameTable, extractFeatures, loadNameTables, NameTableError, useNameTable } from '../../../../src/registry/matching';
import { blockingKeys } from '../../../../src/registry/matching';
import { FIELD_LEVELS, nameLevel } from '../../../../src/registry/matching/comparators';
import { leadingSetAside, skeleton } from '../../../../src/registry/matching/name-table';
import { prepare } from '../../../../src/registry/matching/prepare';
import type { NameView } from '../../../../src/registry/matching/prepare';
import { buildRegistryModule } from '../../../../src/registry-module';
import { testConfig } from '../../../helpers/app';
import { memoryLogger } from '../../../helpers/silent-logger';

const givenLevel = (a: string, b: string): string => {
  const view = (n: string): NameView => prepare(extractFeatures({ resourceType: 'Patient', name: [{ given: [n] }] })).givenView;
  return FIELD_LEVELS.given[nameLevel(view(a), view(b), true)] as string;
};

afterEach(() => useNameTable(loadNameTables()));

describe('the shipped table', () => {
  const table = loadNameTables();

  test('titles and compound prefixes are set aside only while a name follows', () => {
    expect(leadingSetAside(['EL', 'HADJI', 'MALICK'], table)).toBe(2);
    expect(leadingSetAside(['NDEYE', 'FATOU'], table)).toBe(1);
    expect(leadingSetAside(['SERIGNE', 'PAPE', 'MODOU'], table)).toBe(2);
    expect(leadingSetAside(['NDEYE'], table)).toBe(0);
  });

  test.each([
    ['AISSATOU', 'AYSATU'],
    ['MAMADOU', 'MAMADU'],
    ['HASSAN', 'ASSANE'],
    ['DJIBRIL', 'JIBRIL'],
  ])('%s and %s share a transliteration skeleton', (a, b) => {
    expect(skeleton(a, table)).toBe(skeleton(b, table));
  });

  test('an alias is filed under its canonical name, so variants with different codes meet in blocking', () => {
    const keys = (given: string): string[] => blockingKeys(extractFeatures({ resourceType: 'Patient', name: [{ given: [given], family: 'Diop' }], birthDate: '1980-05-12' }, { today: '2026-01-01' }));
    const shared = keys('Muhammad').filter((k) => keys('Mamadou').includes(k) && k.startsWith('nm:'));
    expect(shared.length).toBeGreaterThan(0);
    // Compound prefixes do not make sisters share name keys.
    expect(keys('Ndeye Fatou').filter((k) => k.startsWith('np:'))).toEqual(keys('Fatou').filter((k) => k.startsWith('np:')));
  });
});

describe('a ministry extends the table without a rebuild', () => {
  const dir = mkdtempSync(join(tmpdir(), 'names-'));

  test('its file joins the shipped one through MATCH_NAME_TABLES', async () => {
    expect(givenLevel('Kwabena', 'Ebo')).toBe('else');
    const file = join(dir, 'ghana.txt');
    writeFileSync(file, '# Akan day names\ngiven,KWABENA,EBO,KOBBY\ntitle,NANA\n');
    const registry = buildRegistryModule({ config: testConfig({ MATCH_NAME_TABLES: file }), logger: memoryLogger().logger, db: null });
    expect(givenLevel('Kwabena', 'Ebo')).toBe('alias');
    expect(givenLevel('Nana Kobby', 'Kwabena')).toBe('alias');
    expect(givenLevel('Mamadou', 'Muhammad')).toBe('alias');
    await registry.close();
  });

  test('every bad line is named with its file and line', () => {
    const text = 'given,ONLYONE\nplanet,MARS\nrewrite,A\ntitle,\n';
    expect(() => buildNameTable([{ name: 'bad.txt', text }])).toThrow(NameTableError);
    try {
      buildNameTable([{ name: 'bad.txt', text }]);
    } catch (err) {
      expect((err as NameTableError).problems).toEqual([
        'bad.txt:1: an alias group needs at least two names',
        "bad.txt:2: unknown kind 'planet' (expected given, family, title, prefix, rewrite)",
        'bad.txt:3: a rewrite is `rewrite,FROM,TO` (letters; ^ or $ anchors FROM)',
        'bad.txt:4: a title line names one title',
      ]);
    }
  });

  test('a missing file is a configuration problem', () => {
    expect(() => testConfig({ MATCH_NAME_TABLES: join(dir, 'nope.txt') })).toThrow(/MATCH_NAME_TABLES: no file/);
  });
});
