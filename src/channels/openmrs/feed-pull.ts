/**
 * OpenMRS changes through the Atom Feed module and REST Web Services v1 — the alternative to the
 * FHIR2 search for an OpenMRS without the FHIR2 module, and the way to see voided and purged patients,
 * which drop out of FHIR2 searches (source-systems.md §2.4). The feed's pages are read oldest first,
 * from page 1 to the recent page (archived pages never change; the recent one grows until it is
 * archived), and each patient an entry names is read once per page, in full, through REST v1: what
 * comes in is always the patient's current state, whatever the entry's action. A voided patient, or
 * one OpenMRS no longer has, deactivates its source record.
 *
 * The cursor is the page and the ids of its entries taken in: an archived page is left for the next
 * one once it is done; on the recent page new entries are those not taken in yet.
 */
import type { OrchestrationSink } from '../../core/orchestration';
import type { InboundRecord, PulledPage } from '../ports';
import { pageNumberOf, subjectUuidOf } from './atom';
import type { AtomEntry } from './atom';
import type { OpenmrsClient } from './client';

/** Where the feed reading stands. */
export interface FeedPosition {
  /** The page being read (archived pages are numbered from 1). */
  page: number;
  /** Ids of this page's entries already taken in. */
  done: string[];
}

/** Makes the record of a patient read through REST v1 (or of an entry naming none). */
export type RecordOf = (payload: unknown, deleted: boolean) => InboundRecord;

function positionOf(position: unknown): FeedPosition {
  const p = position as Partial<FeedPosition> | null;
  return p && typeof p.page === 'number' && Array.isArray(p.done) ? { page: p.page, done: p.done.filter((d): d is string => typeof d === 'string') } : { page: 1, done: [] };
}

/** The patients of a page's new entries, each once, in the feed's order; entries that name none apart. */
function subjects(entries: AtomEntry[]): { uuids: string[]; unreadable: AtomEntry[] } {
  const uuids: string[] = [];
  const unreadable: AtomEntry[] = [];
  for (const e of entries) {
    const uuid = subjectUuidOf(e, 'patient');
    if (!uuid) unreadable.push(e);
    else if (!uuids.includes(uuid)) uuids.push(uuid);
  }
  return { uuids, unreadable };
}

async function recordOfPatient(client: OpenmrsClient, uuid: string, recordOf: RecordOf, sink: OrchestrationSink): Promise<InboundRecord> {
  const patient = await client.restPatient(uuid, sink);
  // Purged: OpenMRS answers 404; the record is known by its uuid only.
  if (patient === null) return recordOf({ uuid }, true);
  return recordOf(patient, (patient as { voided?: unknown }).voided === true);
}

/**
 * The next page of patient changes from the feed.
 * @param client - the OpenMRS client
 * @param position - the stored cursor (null: from page 1)
 * @param recordOf - makes a record of a REST v1 patient
 * @param sink - orchestration sink
 */
export async function pullPatientFeed(client: OpenmrsClient, position: unknown, recordOf: RecordOf, sink: OrchestrationSink): Promise<PulledPage> {
  const at = positionOf(position);
  const feed = await client.patientFeedPage(at.page, sink);
  const done = new Set(at.done);
  const fresh = feed.entries.filter((e) => !done.has(e.id));
  const { uuids, unreadable } = subjects(fresh);
  const records: InboundRecord[] = [];
  for (const uuid of uuids) records.push(await recordOfPatient(client, uuid, recordOf, sink));
  // An entry that names no patient is kept as a failure (the mapping refuses it), never dropped.
  for (const e of unreadable) records.push(recordOf({ atomFeedEntry: { id: e.id, content: e.content.slice(0, 2000) } }, false));
  const next = feed.links['next-archive'];
  if (next) return { records, position: { page: pageNumberOf(next) ?? at.page + 1, done: [] }, more: true, skipped: feed.entries.length - fresh.length };
  return { records, position: { page: at.page, done: [...at.done, ...fresh.map((e) => e.id)] }, more: false, skipped: feed.entries.length - fresh.length };
}
