/**
 * The steward page as the mediator serves it: its files, security headers and caching, the sign-in
 * settings it gives the page, its size budget, and its two message catalogues.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { PUBLIC_DIR } from '../../../src/steward/assets';
import { contentSecurityPolicy } from '../../../src/steward/headers';
import { FIELDS, FIELD_LEVELS, HOUSEHOLD_LEVELS } from '../../../src/registry/matching';
import { HISTORY_OPERATIONS } from '../../../src/registry/history';
import en from '../../../src/steward/public/messages-en.js';
import fr from '../../../src/steward/public/messages-fr.js';

describe('steward page: files, headers, settings', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => app.stop());

  test('the page: HTML without inline script, a strict content security policy, never framed, no referrer', async () => {
    const res = await app.server.inject('/steward');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; manifest-src 'none'",
    );
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'cache-control': 'no-cache' });
    // Every script is a file of the page's own; no inline script, style or event handler.
    expect(res.payload).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.payload).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(res.payload).toContain('<script type="module" src="/steward/app.js"></script>');
    expect((await app.server.inject('/steward/')).statusCode).toBe(200);
  });

  test('files revalidate with an ETag (304) and are compressed; unknown or odd names are 404', async () => {
    const first = await app.server.inject({ url: '/steward/app.js', headers: { 'accept-encoding': 'gzip' } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(first.headers['content-encoding']).toBe('gzip');
    const again = await app.server.inject({ url: '/steward/app.js', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    for (const url of ['/steward/nope.js', '/steward/tsconfig.json', '/steward/..%2Fpackage.json', '/steward/App.js', '/steward/config.js']) {
      expect([url, (await app.server.inject(url)).statusCode]).toEqual([url, 404]);
    }
  });

  test('AUTH_MODE=none: the page opens without sign-in', async () => {
    const res = await app.server.inject('/steward/config.json');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.payload)).toEqual({ sign_in: 'none' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('AUTH_MODE=jwt without STEWARD_CLIENT_ID: the page says sign-in is not configured', async () => {
    const jwt = await buildTestApp({ AUTH_MODE: 'jwt' });
    expect(JSON.parse((await jwt.server.inject('/steward/config.json')).payload)).toEqual({ sign_in: 'unconfigured' });
    await jwt.stop();
  });

  test('the policy allows exactly one foreign origin: the token endpoint\'s', () => {
    expect(contentSecurityPolicy('https://idp.sante.gouv.sn/realms/mpi/protocol/openid-connect/token')).toContain("connect-src 'self' https://idp.sante.gouv.sn;");
  });
});

describe('steward page: size and languages', () => {
  const files = readdirSync(PUBLIC_DIR).filter((f) => /\.(html|js|css|svg)$/.test(f));

  test('the whole page is under 150 KB compressed (gzip, every file)', () => {
    const compressed = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(PUBLIC_DIR, f)), { level: 9 }).length, 0);
    expect(compressed).toBeLessThan(150 * 1024);
  });

  test('French and English have the same messages, and every message the page uses exists', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    const used = new Set<string>();
    for (const f of files.filter((n) => n.endsWith('.js'))) {
      for (const m of readFileSync(join(PUBLIC_DIR, f), 'utf8').matchAll(/\bt\('([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1] as string);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
    expect(Object.values(fr).filter((v) => v.trim() === '')).toEqual([]);
  });

  test('every comparison level and field the engine can report has a label in French and in English', () => {
    // The evidence chips show `level.<name>` and `field.<name>`: a level the engine gains without a
    // label would show its raw key to the steward.
    const keys = [
      ...FIELDS.flatMap((f) => [`field.${f}`, ...FIELD_LEVELS[f].map((level) => `level.${level}`)]),
      'field.household', ...HOUSEHOLD_LEVELS.map((level) => `level.${level}`),
    ];
    expect(keys).toEqual(expect.arrayContaining(['level.alias', 'level.twins']));
    expect(keys.filter((k) => !(k in en))).toEqual([]);
    expect(keys.filter((k) => !(k in fr))).toEqual([]);
  });

  test('every operation the registry writes into history has a label in French and in English', () => {
    const keys = HISTORY_OPERATIONS.map((op) => `op.${op}`);
    expect(keys).toEqual(expect.arrayContaining(['op.patch', 'op.add-identifier', 'op.deactivate', 'op.relink']));
    expect(keys.filter((k) => !(k in en))).toEqual([]);
    expect(keys.filter((k) => !(k in fr))).toEqual([]);
  });
});
