/**
 * OpenMRS through the Atom Feed module and REST Web Services v1 (OPENMRS_CHANGE_FEED=atomfeed): the
 * feed's pages read oldest first, each patient read once in full, voided and purged patients
 * deactivated, write-back, and the malformed feeds a real server can answer with.
 */
import type { Patient } from 'fhir/r4';
import { AtomFormatError, pageNumberOf, parseAtomFeed, subjectUuidOf, xmlText } from '../../../src/channels/openmrs/atom';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeOpenmrs, MPI_ID_TYPE, openmrsPatientOf } from '../../helpers/fakes/openmrs';
import { person, uuidOf } from '../../helpers/fakes/people';
import { call, openmrsEnv } from '../../helpers/sync';

const SYSTEM = 'urn:passerelle:openmrs:patient';

describe('reading an Atom feed page', () => {
  const fake = new FakeOpenmrs(2);
  beforeAll(() => {
    for (let i = 0; i < 3; i++) fake.put(openmrsPatientOf(person(i)));
  });

  it('reads the links, the entries with their action, and the patient each names', () => {
    const feed = parseAtomFeed(fake.feed.page('recent', 'http://omrs/openmrs/ws/atomfeed/patient') ?? '');
    expect(feed.links).toEqual({ self: 'http://omrs/openmrs/ws/atomfeed/patient/recent', via: 'http://omrs/openmrs/ws/atomfeed/patient/2', 'prev-archive': 'http://omrs/openmrs/ws/atomfeed/patient/1' });
    expect(feed.entries).toHaveLength(1);
    expect(feed.entries[0]?.categories).toEqual(['patient', 'CREATED']);
    expect(subjectUuidOf(feed.entries[0]!, 'patient')).toBe(uuidOf(2, 2));
    expect(pageNumberOf(feed.links.via)).toBe(2);
    expect(pageNumberOf(feed.links.self)).toBeUndefined();
  });

  it('decodes entities and CDATA, and reads the bare REST path of older module versions', () => {
    expect(xmlText('a &amp; b &lt;c&gt; &#x41;&#66; <![CDATA[<raw> &amp;]]>')).toBe('a & b <c> AB <raw> &amp;');
    const feed = parseAtomFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e1</id><content type="application/vnd.atomfeed+xml">/openmrs/ws/rest/v1/patient/abc-123?v=full</content></entry></feed>');
    expect(subjectUuidOf(feed.entries[0]!, 'patient')).toBe('abc-123');
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Login</body></html>'],
    ['a truncated feed', '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e1</id>'],
    ['an entry without an id', '<feed><entry><content>x</content></entry></feed>'],
  ])('refuses %s', (_label, text) => {
    expect(() => parseAtomFeed(text)).toThrow(AtomFormatError);
  });
});

describe('an OpenMRS sync through the Atom feed and REST v1', () => {
  let fake: FakeOpenmrs;
  let app: TestApp;
  beforeEach(async () => {
    fake = new FakeOpenmrs(3);
    await fake.start();
    for (let i = 0; i < 7; i++) fake.put(openmrsPatientOf(person(40 + i)));
    app = await buildTestApp(openmrsEnv(fake.url, { OPENMRS_CHANGE_FEED: 'atomfeed' }));
  });
  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const source = (i: number): ReturnType<TestApp['registry']['service']['getSource']> => app.registry.service.getSource(`${SYSTEM}|${uuidOf(40 + i, 2)}`);

  it('reads every page from the first, each patient in full, writes the MPI IDs back, then reads only what is new', async () => {
    const run = await call(app.server, 'POST', '/sync/openmrs/run');
    // Each write-back is a feed entry too: the run meets those patients again, unchanged, and ends.
    expect(run.body).toMatchObject({ status: 'succeeded', caught_up: true, counts: { received: 14, created: 7, unchanged: 7, failed: 0, written_back: 7 } });
    expect(fake.fhir.http.requests.filter((r) => r.path.includes('/ws/fhir2/'))).toEqual([]);
    expect(fake.fhir.http.requests.filter((r) => r.path.includes('/ws/rest/v1/patient/') && r.method === 'GET').every((r) => r.query.get('v') === 'full')).toBe(true);
    expect(fake.identifier(uuidOf(40, 2), MPI_ID_TYPE)).toBe((await source(0))?.goldenId);
    const second = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(second.body.counts).toMatchObject({ received: 0 });
    fake.put({ ...fake.fhir.get<Patient>('Patient', uuidOf(41, 2))!, birthDate: '1950-01-01' });
    const third = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(third.body.counts).toMatchObject({ received: 1, updated: 1 });
    const status = await call(app.server, 'GET', '/sync/status');
    expect(status.body.channels.find((c: { channel: string }) => c.channel === 'openmrs').cursors).toEqual([{ scope: 'atomfeed:patient', position: { page: expect.any(Number), done: expect.any(Array) }, updated_at: expect.any(String) }]);
  });

  it('deactivates the source record of a voided patient and of one OpenMRS purged', async () => {
    await call(app.server, 'POST', '/sync/openmrs/run');
    fake.void(uuidOf(42, 2));
    fake.purge(uuidOf(43, 2));
    const run = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(run.body.counts).toMatchObject({ deactivated: 2, failed: 0 });
    expect((await source(2))?.active).toBe(false);
    expect((await source(3))?.active).toBe(false);
    expect((await source(4))?.active).toBe(true);
  });

  it('records a feed page answered with HTML as a failure of the run, keeps its cursor, and goes on next time', async () => {
    fake.fhir.http.inject({ kind: 'html200' }, { times: 3, match: (r) => r.path.includes('/atomfeed/') });
    const failed = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(failed.body).toMatchObject({ status: 'failed', error: expect.stringContaining('did not answer with a complete Atom feed') });
    expect((await call(app.server, 'GET', '/sync/failures?channel=openmrs')).body.items[0]).toMatchObject({ stage: 'receive', resource_type: 'page' });
    const next = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(next.body).toMatchObject({ status: 'succeeded', counts: { created: 7 } });
  });

  it('keeps an entry that names no patient as a failure, never drops it', async () => {
    const original = fake.feed.page.bind(fake.feed);
    fake.feed.page = (page, base) => (page !== 1 ? original(page, base) : original(page, base)?.replace(/<content type="application\/vnd.atomfeed\+xml"><!\[CDATA\[[^\]]*\]\]><\/content>/, '<content type="application/vnd.atomfeed+xml"><![CDATA[{"rest":"/openmrs/ws/rest/v1/encounter/1"}]]></content>') ?? null);
    const run = await call(app.server, 'POST', '/sync/openmrs/run');
    // Six patients read (and written back, which the run meets again) and the unreadable entry.
    expect(run.body.counts).toMatchObject({ received: 13, created: 6, failed: 1 });
    const failures = await call(app.server, 'GET', '/sync/failures?channel=openmrs');
    expect(failures.body.items[0]).toMatchObject({ stage: 'mapping', reason: 'the OpenMRS patient has no uuid' });
  });
});
