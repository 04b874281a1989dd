/**
 * Two mediator processes relaying one database at once, on the real broker and store:
 * 1. Normal operation, registrations and updates sent to both: every event delivered exactly once
 *    (duplicates counted by ce_id), each key's events in commit order, both processes publishing.
 * 2. One of them killed with SIGKILL while both drain a backlog: nothing lost; the only duplicates are
 *    events of changes it had claimed; the other takes its claims over once their lease expires.
 * The figures (lost, duplicated, out of order) are printed for the record.
 */
import type { Patient } from 'fhir/r4';
import type { MongoClient } from 'mongodb';
import { createMongoClient } from '../../../src/storage/mongo-client';
import type { OutboxEvent } from '../../../src/core/types';
import { auditDelivery } from '../../helpers/delivery-audit';
import { consumeAll, testBrokers } from '../../helpers/kafka';
import { spawnMediator } from '../../helpers/mediator-process';
import type { MediatorProcess } from '../../helpers/mediator-process';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(600000);
const LEASE_MS = 5000;
const FAMILIES = ['Diallo', 'Mbaye', 'Thiam', 'Seck', 'Kane', 'Niang', 'Lo', 'Wade'];

function person(n: number, version = 0): Patient {
  return {
    resourceType: 'Patient', identifier: [{ system: 'urn:openmrs:multi', value: `M${n}` }],
    name: [{ family: FAMILIES[n % 8], given: [`P${n}`] }], birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`, gender: n % 2 ? 'male' : 'female',
    ...(version > 0 ? { telecom: [{ system: 'phone', value: `+2217800${String(n * 10 + version).padStart(5, '0')}` }] } : {}),
  };
}

/**
 * A request sent again if the connection was closed under it (an idle keep-alive socket the server
 * closed as the request left). Only idempotent requests: GETs, and conditional PUTs (twice is one change).
 */
async function request(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

const put = (url: string, patient: Patient): Promise<Response> => request(url, { method: 'PUT', body: JSON.stringify(patient), headers: { 'content-type': 'application/fhir+json' } });

/** PUT people `from..to-1` (version `version`), alternating between the processes, 8 at a time. */
async function register(targets: MediatorProcess[], from: number, to: number, version = 0): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      const url = `${(targets[n % targets.length] as MediatorProcess).url}/fhir/Patient?identifier=${encodeURIComponent(`urn:openmrs:multi|M${n}`)}`;
      const res = await put(url, person(n, version));
      if (res.status !== 200 && res.status !== 201) throw new Error(`registration ${n} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker)).catch((err: unknown) => {
    const state = targets.map((t) => `${t.instance} exit ${t.proc.exitCode ?? t.proc.signalCode ?? 'running'}`).join(', ');
    throw new Error(`${String(err)} (${String((err as Error).cause)}); ${state}; logs:\n${targets.flatMap((t) => t.logs).join('').slice(-6000)}`);
  });
}

async function committed(s: StackApp): Promise<OutboxEvent[]> {
  const out: OutboxEvent[] = [];
  let after: number | null = null;
  do {
    const page: Awaited<ReturnType<StackApp['app']['registry']['store']['outbox']['retained']>> = await s.app.registry.store.outbox.retained({ since: '1970-01-01T00:00:00.000Z' }, { after, limit: 500 });
    out.push(...page.events.filter((e) => e.topic === 'patient'));
    after = page.next;
  } while (after !== null);
  return out;
}

/**
 * A counter of this process's /metrics, summed over its series (or only those of one topic).
 * @param m - the process
 * @param name - the counter (`passerelle_events_published_total`, `passerelle_event_publish_failures_total`)
 * @param topic - only the series labelled with this topic
 */
async function counterOf(m: MediatorProcess, name: string, topic?: string): Promise<number> {
  const text = await (await request(`${m.url}/metrics`)).text();
  const series = [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\d+)`, 'gm'))];
  return series.filter((x) => topic === undefined || x[1] === `topic="${topic}"`).reduce((n, x) => n + Number(x[2]), 0);
}

/** Events this process published on a topic. */
const publishedBy = (m: MediatorProcess, topic: string): Promise<number> => counterOf(m, 'passerelle_events_published_total', topic);
/** Relay batches this process failed (publish or bookkeeping). */
const relayFailuresOf = (m: MediatorProcess): Promise<number> => counterOf(m, 'passerelle_event_publish_failures_total');

/** The warnings and errors the children logged (LOG_LEVEL=warn): printed for the record when there are any. */
function printChildLogs(children: MediatorProcess[]): void {
  const text = children.flatMap((c) => c.logs).join('');
  if (text.trim().length > 0) process.stdout.write(`MULTI-RELAY child logs (last 8000 chars):\n${text.slice(-8000)}\n`);
}

const ready = async (m: MediatorProcess): Promise<boolean> => {
  try {
    return ((await (await request(`${m.url}/ready`)).json()) as { status?: string }).status === 'ready';
  } catch {
    return false;
  }
};

describe('two mediator processes relaying one database at once', () => {
  let s: StackApp;
  let a: MediatorProcess;
  let b: MediatorProcess;
  const lag = async (): Promise<number> => (await s.app.registry.store.outbox.lag()).count;
  let client: MongoClient;
  /** Ids of the events in outbox documents a process (by INSTANCE_ID) holds claims on now. */
  const claimedBy = async (instance: string): Promise<Set<string>> => {
    const docs = await client.db(s.dbName).collection('registry_changes').find({ t: 'o', pending: true, claimedBy: { $regex: `^${instance}\\.` } }, { projection: { unpublished: 1 } }).toArray();
    return new Set(docs.flatMap((d) => d.unpublished as string[]));
  };

  beforeAll(async () => {
    s = await buildStackApp();
    client = createMongoClient(s.app.config.env.MONGODB_URI ?? '');
    // This process only registers (phase 2's backlog) and reads: the two children relay.
    await s.app.relay.stop();
    const env = { EVENT_CLAIM_LEASE_MS: String(LEASE_MS), KAFKA_RELAY_BATCH_SIZE: '25' };
    [a, b] = await Promise.all([spawnMediator(s, testBrokers(), 'mediator-a', env), spawnMediator(s, testBrokers(), 'mediator-b', env)]);
    await eventually(async () => (await ready(a)) && (await ready(b)), 120000).catch((err: unknown) => {
      throw new Error(`${String(err)}; logs:\n${[...a.logs, ...b.logs].join('').slice(-4000)}`);
    });
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGTERM'), b?.stop('SIGTERM')]);
    printChildLogs([a, b].filter((c) => c !== undefined));
    await client?.close();
    await s?.close();
  });

  it('1. normal operation: every event delivered exactly once, in commit order per key, by both processes', async () => {
    await register([a, b], 0, 400);
    await Promise.all([register([b, a], 0, 200, 1), register([a, b], 400, 600)]);
    await eventually(async () => (await lag()) === 0, 120000);
    const audit = auditDelivery(await committed(s), await consumeAll(s.topics.patient));
    const byProcess = { a: await publishedBy(a, s.topics.patient), b: await publishedBy(b, s.topics.patient), failuresA: await relayFailuresOf(a), failuresB: await relayFailuresOf(b) };
    process.stdout.write(`MULTI-RELAY normal: ${JSON.stringify({ ...audit, duplicatedIds: audit.duplicatedIds.length, publishedBy: byProcess })}\n`);
    expect(audit).toMatchObject({ lost: 0, duplicates: 0, outOfOrderKeys: 0 });
    // The two children published all of it: no third relay (this process's own is stopped for good).
    expect(byProcess.a + byProcess.b).toBe(audit.committed);
    expect(byProcess.a).toBeGreaterThan(0);
    expect(byProcess.b).toBeGreaterThan(0);
  });

  it('2. one killed with SIGKILL while relaying: nothing lost, duplicates only from its claims, the other takes over', async () => {
    const before = (await consumeAll(s.topics.patient)).length;
    const startA = await publishedBy(a, s.topics.patient);
    // Bulk pages of 10 registrations (one change of 10 events each), drained 25 events a batch.
    let page = 0;
    const bulk = async (): Promise<void> => {
      while (page < 150) {
        const i = 10_000 + 10 * page++;
        await s.app.registry.service.registerMany(Array.from({ length: 10 }, (_, j) => ({ patient: person(i + j), sourceSystem: 'multi', actor: { clientId: 'test' } })));
      }
    };
    const registering = bulk();
    // Kill A in the middle of its relaying, once it has published some of this phase: frozen with
    // SIGSTOP at a moment it holds claims (else let go and tried again), then SIGKILL.
    await eventually(async () => (await publishedBy(a, s.topics.patient)) - startA >= 100, 120000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}: A published ${(await publishedBy(a, s.topics.patient)) - startA}, failures A ${await relayFailuresOf(a)}, B ${await relayFailuresOf(b)}`);
    });
    let heldByA = new Set<string>();
    for (let tries = 0; heldByA.size === 0 && tries < 500; tries++) {
      if (tries > 0) {
        a.proc.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 10));
      }
      a.proc.kill('SIGSTOP');
      heldByA = await claimedBy('mediator-a');
    }
    await a.stop('SIGKILL');
    const killedAt = Date.now();
    // B takes A's claims over once they expire (EVENT_CLAIM_LEASE_MS), then publishes them.
    const takeover = eventually(async () => (await claimedBy('mediator-a')).size === 0, 120000).then(() => (Date.now() - killedAt) / 1000);
    // Registrations go on, at the survivor too, while it takes over.
    await Promise.all([registering, register([b], 600, 700)]);
    const takeoverSeconds = await takeover;
    await eventually(async () => (await lag()) === 0, 120000);
    const delivered = await consumeAll(s.topics.patient);
    const audit = auditDelivery(await committed(s), delivered);
    const strayDuplicates = audit.duplicatedIds.filter((id) => !heldByA.has(id));
    process.stdout.write(`MULTI-RELAY sigkill: ${JSON.stringify({ heldByAWhenKilled: heldByA.size, takeoverSeconds, leaseSeconds: LEASE_MS / 1000, deliveredThisPhase: delivered.length - before, ...audit, duplicatedIds: audit.duplicatedIds.length, strayDuplicates: strayDuplicates.length })}\n`);
    expect(audit.lost).toBe(0);
    expect(audit.outOfOrderKeys).toBe(0);
    expect(heldByA.size).toBeGreaterThan(0);
    expect(strayDuplicates).toEqual([]);
    expect(audit.duplicates).toBeLessThanOrEqual(heldByA.size);
  });
});

