/**
 * The derived parts of record documents, computed when a change is built: versions and FHIR meta,
 * lookup keys and refinement code, content hash and search fields of a source record; members,
 * status, survivorship and search fields of a golden record.
 */
import { createHash } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { RegistryContext } from './context';
import type { MemberSnapshot, StoredGolden, StoredSource } from './store';
import { identifierKey, lookupKey } from './keys';
import { computeGoldenPatient } from './survivorship';
import { toSearchFields } from './search-fields';

/**
 * What a re-send is compared on: the Patient without id, meta and the links Passerelle writes.
 * @param p - a Patient
 */
export function contentHashOf(p: Patient): string {
  const { meta: _m, id: _i, link: _l, ...rest } = p;
  return createHash('sha1').update(JSON.stringify(rest)).digest('base64url');
}

/**
 * Lookup keys of a source: its identifiers always (so its holders are found), its blocking keys
 * only while it is active (an inactive record is never a candidate).
 * @param ctx - registry context
 * @param s - the source record
 */
export function sourceLookupKeys(ctx: RegistryContext, s: Pick<StoredSource, 'patient' | 'system' | 'value' | 'active' | 'features'>): string[] {
  const ids = new Set([identifierKey({ system: s.system, value: s.value })]);
  for (const i of s.patient.identifier ?? []) if (i.system && i.value) ids.add(identifierKey({ system: i.system, value: i.value }));
  const keys = [...ids].map(lookupKey.identifier);
  if (s.active) for (const k of ctx.blocking(s.features).keys) keys.push(lookupKey.blocking(k));
  return keys;
}

/**
 * Finish a staged source: version, FHIR meta and `refer` link, keys, content hash, search fields.
 * @param ctx - registry context
 * @param doc - the staged state (completed in place)
 * @param before - the stored state, if any
 * @param at - change time
 * @param seq - change logical time
 */
export function finishSourceDoc(ctx: RegistryContext, doc: StoredSource, before: StoredSource | null, at: string, seq: number): void {
  doc.version = (before?.version ?? 0) + 1;
  doc.updatedAt = at;
  doc.seq = seq;
  // A copy: the Patient of a working copy is shared with the stored version.
  const p = { ...doc.patient };
  doc.patient = p;
  p.id = doc.id;
  p.meta = { ...p.meta, versionId: String(doc.version), lastUpdated: at };
  const links = (p.link ?? []).filter((l) => l.type !== 'refer');
  if (doc.goldenId) links.push({ other: { reference: `Patient/${doc.goldenId}` }, type: 'refer' });
  if (links.length > 0) p.link = links;
  else delete p.link;
  if (!doc.active) p.active = false;
  doc.keys = sourceLookupKeys(ctx, doc);
  doc.rf = ctx.blocking(doc.features).rf;
  doc.contentHash = contentHashOf(p);
  doc.search = toSearchFields(p, doc.id, doc.active, at);
}

function snapshotOf(s: StoredSource): MemberSnapshot {
  return { key: s.key, id: s.id, sourceSystem: s.sourceSystem, receivedAt: s.receivedAt, active: s.active, patient: s.patient, features: s.features };
}

/**
 * Finish a staged golden record: members (staged sources, else the stored snapshots), status,
 * version, survivorship and search fields.
 * @param ctx - registry context
 * @param doc - the staged state (completed in place)
 * @param before - the stored state, if any
 * @param staged - the sources this change writes, by key
 * @param at - change time
 * @param seq - change logical time
 */
export function finishGoldenDoc(ctx: RegistryContext, doc: StoredGolden, before: StoredGolden | null, staged: Map<string, StoredSource>, at: string, seq: number): void {
  const known = new Map(doc.members.map((m) => [m.key, m]));
  doc.members = doc.sourceKeys.map((key) => {
    const s = staged.get(key);
    const m = s ? snapshotOf(s) : known.get(key);
    if (!m) throw new MediatorError('internal', 'a member of a golden record is neither staged nor known');
    return m;
  });
  const linked = doc.members.filter((m) => m.active && (staged.get(m.key)?.goldenId ?? doc.mpiId) === doc.mpiId);
  if (doc.status !== 'merged') {
    doc.status = linked.length > 0 ? 'active' : 'inactive';
    delete doc.mergedInto;
  }
  doc.version = (before?.version ?? 0) + 1;
  doc.updatedAt = at;
  doc.seq = seq;
  doc.patient = computeGoldenPatient(doc, linked, ctx.cfg.survivorship);
  doc.patient.meta = { versionId: String(doc.version), lastUpdated: at };
  doc.search = toSearchFields(doc.patient, doc.mpiId, doc.status === 'active', at);
}
