import { LiveSettingsHolder } from '../../../src/config/live-holder';
import { liveCandidateFromEnv, parseLiveSettings } from '../../../src/config/live';
import type { LiveSettings } from '../../../src/config/live';
import { memoryLogger } from '../../helpers/silent-logger';

function holderFrom(env: Record<string, string>): { holder: LiveSettingsHolder; lines: string[] } {
  const base = liveCandidateFromEnv(env);
  const parsed = parseLiveSettings(base);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const { logger, lines } = memoryLogger();
  return { holder: new LiveSettingsHolder({ base, initial: parsed.settings, logger }), lines };
}

const logged = (lines: string[]): Array<Record<string, unknown>> => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('LiveSettingsHolder', () => {
  it('lays OpenHIM\'s config over the environment and tells each listener what changed', async () => {
    const { holder } = holderFrom({ DHIS2_BASE_URL: 'https://dhis2.example.org', DHIS2_PASSWORD: 'env-secret' });
    const seen: Array<{ next: LiveSettings; changed: string[] }> = [];
    holder.subscribe('channels', (next, _previous, changed) => void seen.push({ next, changed }));
    const r = await holder.applyOverrides({ dhis2BaseUrl: 'https://dhis2-new.example.org', dhis2PollIntervalSeconds: 60, matchUpperThreshold: 0.97 }, 'test');
    expect(r).toEqual({ ok: true, changed: ['matchUpperThreshold', 'dhis2BaseUrl', 'dhis2PollIntervalSeconds'] });
    expect(holder.current).toMatchObject({ dhis2BaseUrl: 'https://dhis2-new.example.org', dhis2PollIntervalSeconds: 60, matchUpperThreshold: 0.97, dhis2Password: 'env-secret' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.changed).toEqual(r.ok ? r.changed : []);
  });

  it('keeps the environment\'s value where the console leaves a field empty (empty string, empty list, null)', async () => {
    const { holder } = holderFrom({ DHIS2_PASSWORD: 'env-secret', DHIS2_ORG_UNITS: 'ImspTQPwCqd', DHIS2_BASE_URL: 'https://dhis2.example.org' });
    const r = await holder.applyOverrides({ dhis2Password: '', dhis2OrgUnits: [], dhis2BaseUrl: null }, 'test');
    expect(r).toEqual({ ok: true, changed: [] });
    expect(holder.current).toMatchObject({ dhis2Password: 'env-secret', dhis2OrgUnits: ['ImspTQPwCqd'], dhis2BaseUrl: 'https://dhis2.example.org' });
  });

  it('says once which keys OpenHIM holds at a value other than the environment\'s (an environment change Core overrides)', async () => {
    const { holder, lines } = holderFrom({ DHIS2_BASE_URL: 'https://dhis2-new.example.org', DHIS2_PASSWORD: 'env-secret' });
    const overrides = (): Array<Record<string, unknown>> => logged(lines).filter((l) => String(l.msg).startsWith('live settings: OpenHIM\'s config is in force'));
    // Core's stored config: seeded at first registration, when the environment still named the old server.
    const stored = { dhis2BaseUrl: 'https://dhis2-old.example.org', dhis2Password: '', matchUpperThreshold: 0.95 };
    await holder.applyOverrides(stored, 'openhim config fetch');
    await holder.applyOverrides(stored, 'openhim heartbeat');
    expect(overrides()).toEqual([expect.objectContaining({ level: 'info', source: 'openhim config fetch', keys: ['dhis2BaseUrl'] })]);
    expect(JSON.stringify(overrides())).not.toContain('dhis2-old');
    // Cleared in the console: the environment's value is in force again, and nothing more is said.
    await holder.applyOverrides({ ...stored, dhis2BaseUrl: '' }, 'openhim heartbeat');
    expect(holder.current.dhis2BaseUrl).toBe('https://dhis2-new.example.org');
    expect(overrides()).toHaveLength(1);
  });

  it('refuses an invalid config, logs every problem and keeps the previous settings', async () => {
    const { holder, lines } = holderFrom({ MATCH_UPPER_THRESHOLD: '0.9' });
    const before = holder.current;
    let notified = false;
    holder.subscribe('matcher', () => {
      notified = true;
    });
    const r = await holder.applyOverrides({ matchUpperThreshold: 1.5, dhis2BaseUrl: 'ftp://nope', dhis2PageSize: 0, logLevel: 'loud' }, 'test');
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    for (const key of ['matchUpperThreshold', 'dhis2BaseUrl', 'dhis2PageSize', 'logLevel']) expect(problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
    expect(holder.current).toBe(before);
    expect(notified).toBe(false);
    const refusal = logged(lines).find((l) => l.msg === 'live settings refused; the previous settings stay in force');
    expect(refusal).toMatchObject({ level: 'error', source: 'test', problems });
  });

  it('refuses thresholds that cross, whichever side the console changed', async () => {
    const { holder } = holderFrom({ MATCH_UPPER_THRESHOLD: '0.9', MATCH_LOWER_THRESHOLD: '0.6' });
    const r = await holder.applyOverrides({ matchLowerThreshold: 0.95 }, 'test');
    expect(r).toEqual({ ok: false, problems: ['matchLowerThreshold: must not exceed matchUpperThreshold'] });
    expect(holder.current.matchLowerThreshold).toBe(0.6);
  });

  it('notifies nobody when the config it receives again changes nothing', async () => {
    const { holder } = holderFrom({});
    let calls = 0;
    holder.subscribe('x', () => {
      calls++;
    });
    await holder.applyOverrides({ syncConcurrency: 4 }, 'test');
    await holder.applyOverrides({ syncConcurrency: 4 }, 'test');
    expect(calls).toBe(1);
  });

  it('warns about keys it does not know (a config from an older registration) and applies the rest', async () => {
    const { holder, lines } = holderFrom({});
    const r = await holder.applyOverrides({ matching: { autoLinkScore: 0.9 }, syncConcurrency: 3 }, 'test');
    expect(r).toEqual({ ok: true, changed: ['syncConcurrency'] });
    expect(logged(lines).find((l) => l.msg === 'live settings: unknown keys ignored')).toMatchObject({ ignored: ['matching'] });
  });

  it('runs the other listeners when one fails, and logs which one', async () => {
    const { holder, lines } = holderFrom({});
    const order: string[] = [];
    holder.subscribe('broken', () => {
      order.push('broken');
      throw new Error('boom');
    });
    holder.subscribe('channels', async () => {
      order.push('channels');
    });
    await holder.applyOverrides({ syncConcurrency: 5 }, 'test');
    expect(order).toEqual(['broken', 'channels']);
    expect(logged(lines).find((l) => l.listener === 'broken')).toBeDefined();
  });

  it('applies changes one after the other, in the order they arrive', async () => {
    const { holder } = holderFrom({});
    const seen: number[] = [];
    holder.subscribe('slow', async (next) => {
      await new Promise((r) => setTimeout(r, next.syncConcurrency === 3 ? 30 : 0));
      seen.push(next.syncConcurrency);
    });
    await Promise.all([holder.applyOverrides({ syncConcurrency: 3 }, 'a'), holder.applyOverrides({ syncConcurrency: 4 }, 'b')]);
    expect(seen).toEqual([3, 4]);
    expect(holder.current.syncConcurrency).toBe(4);
  });

  it('never logs a value, only the keys that changed', async () => {
    const { holder, lines } = holderFrom({});
    await holder.applyOverrides({ dhis2Password: 'console-secret' }, 'test');
    expect(lines.join('\n')).not.toContain('console-secret');
    expect(logged(lines).find((l) => l.msg === 'live settings applied')).toMatchObject({ changed: ['dhis2Password'] });
  });
});
