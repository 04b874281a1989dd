import { envNameOf, liveSettingsFromEnv, parseLiveSettings } from '../../../src/config/live';

describe('live settings', () => {
  it('names each setting in the environment in SCREAMING_SNAKE case', () => {
    expect(envNameOf('dhis2BaseUrl')).toBe('DHIS2_BASE_URL');
    expect(envNameOf('matchUpperThreshold')).toBe('MATCH_UPPER_THRESHOLD');
    expect(envNameOf('ncrQueryOnMatchMiss')).toBe('NCR_QUERY_ON_MATCH_MISS');
  });

  it('reads strings from the environment and typed JSON from OpenHIM alike', () => {
    const fromEnv = liveSettingsFromEnv({ DHIS2_ENABLED: 'true', DHIS2_BASE_URL: 'https://dhis2.example.org/', DHIS2_PAGE_SIZE: '250', DHIS2_PROGRAMS: 'IpHINAT79UW, ur1Edk5Oe2n' });
    const fromHim = parseLiveSettings({ dhis2Enabled: true, dhis2BaseUrl: 'https://dhis2.example.org', dhis2PageSize: 250, dhis2Programs: ['IpHINAT79UW', 'ur1Edk5Oe2n'] });
    expect(fromEnv).toEqual(fromHim);
    expect(fromEnv.ok && fromEnv.settings).toMatchObject({ dhis2BaseUrl: 'https://dhis2.example.org', dhis2PollIntervalSeconds: 300, openmrsEnabled: false });
  });

  it('lists every problem instead of stopping at the first', () => {
    const r = parseLiveSettings({ matchUpperThreshold: 0.4, matchLowerThreshold: 0.6, dhis2BaseUrl: 'ftp://x', dhis2PageSize: 0, dhis2MpiIdAttribute: 'not-a-uid' });
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.problems.join('\n');
    for (const key of ['dhis2BaseUrl', 'dhis2PageSize', 'dhis2MpiIdAttribute']) expect(text).toContain(key);
  });

  it('refuses a lower threshold above the upper one', () => {
    const r = parseLiveSettings({ matchUpperThreshold: 0.4, matchLowerThreshold: 0.6 });
    expect(r).toEqual({ ok: false, problems: ['matchLowerThreshold: must not exceed matchUpperThreshold'] });
  });
});
