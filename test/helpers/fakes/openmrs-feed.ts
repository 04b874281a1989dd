/**
 * The parts of the fake OpenMRS that an OpenMRS without the FHIR2 module offers (source-systems.md
 * §2.3–2.4): the Atom Feed module's patient feed (the ICT4H atomfeed server: number-based pages of a
 * fixed size, the recent page growing until it is archived, `via`, `prev-archive` and `next-archive`
 * links, entries whose content is a JSON map of links and whose categories carry the action) and
 * REST Web Services v1 patients in the `v=full` shape.
 */
import type { Patient } from 'fhir/r4';

/** What happened to a patient, as the Atom Feed module tags it. */
export type FeedAction = 'CREATED' | 'UPDATED' | 'VOIDED' | 'UNVOIDED' | 'DELETED';

interface FeedEntry {
  id: string;
  uuid: string;
  action: FeedAction;
  updated: string;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The patient feed: entries in the order they were written, cut into pages of `chunk`. */
export class PatientFeed {
  readonly entries: FeedEntry[] = [];
  private seq = 0;

  /** @param chunk - entries per page (the module's chunking size) */
  constructor(private readonly chunk = 5) {}

  /**
   * Write an entry.
   * @param uuid - the patient
   * @param action - what happened
   */
  record(uuid: string, action: FeedAction): void {
    this.seq += 1;
    this.entries.push({ id: `tag:atomfeed.ict4h.org:${String(this.seq).padStart(8, '0')}-feed-0000-0000-${uuid.slice(-12)}`, uuid, action, updated: new Date(Date.UTC(2026, 0, 5, 8, 0, 0) + this.seq * 1000).toISOString() });
  }

  /** The number of the recent page (full pages are archived; the recent one may be empty). */
  get recentPage(): number {
    return Math.floor(this.entries.length / this.chunk) + 1;
  }

  /**
   * One page as Atom XML, or null for a page that does not exist.
   * @param page - number or `recent`
   * @param base - the feed's URL (`…/openmrs/ws/atomfeed/patient`)
   */
  page(page: number | 'recent', base: string): string | null {
    const n = page === 'recent' ? this.recentPage : page;
    if (n < 1 || n > this.recentPage) return null;
    const entries = this.entries.slice((n - 1) * this.chunk, n * this.chunk);
    const links = [
      `<link rel="self" type="application/atom+xml" href="${base}/${page}" />`,
      ...(page === 'recent' ? [`<link rel="via" type="application/atom+xml" href="${base}/${n}" />`] : []),
      ...(n < this.recentPage ? [`<link rel="next-archive" type="application/atom+xml" href="${base}/${n + 1}" />`] : []),
      ...(n > 1 ? [`<link rel="prev-archive" type="application/atom+xml" href="${base}/${n - 1}" />`] : []),
    ];
    const body = entries.map((e) => `<entry><title>Patient AOP</title><category term="patient" /><category term="${e.action}" />
  <link rel="self" href="${base}/entries/${xml(e.id)}" /><id>${xml(e.id)}</id><updated>${e.updated}</updated><author><name>OpenMRS</name></author>
  <content type="application/vnd.atomfeed+xml"><![CDATA[{"rest":"/openmrs/ws/rest/v1/patient/${e.uuid}?v=full","fhir":"/openmrs/ws/fhir2/R4/Patient/${e.uuid}"}]]></content></entry>`);
    return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Patient AOP</title>${links.join('')}<author><name>OpenMRS</name></author>
<id>urn:uuid:00118420-97b0-403c-a5b6-10310000000${n}</id><generator uri="https://github.com/ICT4H/atomfeed">OpenMRS Feed Publisher</generator>
<updated>${entries.at(-1)?.updated ?? '2026-01-05T00:00:00Z'}</updated>
${body.join('\n')}
</feed>`;
  }
}

const REST_GENDER: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/**
 * A FHIR2 Patient of the fake as REST Web Services v1 returns the same patient with `v=full`.
 * @param p - the patient (its id is the uuid)
 * @param voided - whether it is voided
 */
export function restPatientOf(p: Patient, voided = false): Record<string, unknown> {
  const name = p.name?.[0];
  return {
    uuid: p.id, display: `${p.identifier?.[0]?.value ?? ''} - ${name?.text ?? ''}`,
    identifiers: (p.identifier ?? []).map((i) => ({
      uuid: i.id, display: `${i.type?.text ?? 'Identifier'} = ${i.value ?? ''}`, identifier: i.value,
      identifierType: { uuid: i.type?.coding?.[0]?.code, display: i.type?.text }, preferred: i.use === 'official', voided: false,
    })),
    person: {
      uuid: p.id, display: name?.text, gender: REST_GENDER[p.gender ?? 'unknown'], birthdate: p.birthDate ? `${p.birthDate}T00:00:00.000+0000` : null,
      birthdateEstimated: false, dead: false, deathDate: null,
      names: (p.name ?? []).map((n) => ({ uuid: n.id, display: n.text, givenName: n.given?.[0], middleName: n.given?.[1] ?? null, familyName: n.family, preferred: true, voided: false })),
      addresses: (p.address ?? []).map((a) => ({ uuid: a.id, preferred: a.use === 'home', cityVillage: a.city, country: a.country, voided: false })),
      attributes: (p.telecom ?? []).map((t) => ({ uuid: t.id, display: `Telephone Number = ${t.value ?? ''}`, value: t.value, attributeType: { display: 'Telephone Number' }, voided: false })),
      voided,
    },
    voided,
  };
}
