import { MemoryAuditStore } from '../../../src/audit/memory';
import { AuditWriter } from '../../../src/audit/writer';
import type { AuditRecord } from '../../../src/audit/ports';
import { memoryLogger } from '../http/auth/harness';
import { aPerson, mpiHarness } from '../mpi-api/harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed freely in tests
type Json = Record<string, any>;
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

function rec(i: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: `r${i}`, recorded: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), operation: 'mpi.read', action: 'R', outcome: '0', httpStatus: 200,
    method: 'GET', route: '/mpi/{mpi_id}', agent: { clientId: 'c1' }, mpiIds: [`M${i}`], sourceIds: [], ...over,
  };
}

describe('AuditWriter', () => {
  test('record() never blocks; failed writes are retried and reported, then succeed', async () => {
    const store = new MemoryAuditStore();
    store.failNext = 2;
    const { logger, lines } = memoryLogger();
    const writer = new AuditWriter({ store, logger, retryMs: 5 });
    writer.record(rec(1));
    writer.record(rec(2));
    expect(store.records).toHaveLength(0);
    expect(await writer.flush(2000)).toBe(true);
    expect(store.records.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(writer.stats()).toMatchObject({ pending: 0, written: 2, failedAttempts: 2, dropped: 0 });
    expect(lines.filter((l) => l.includes('audit write failed'))).toHaveLength(2);
  });

  test('overflow discards the oldest and says so loudly', async () => {
    const store = new MemoryAuditStore();
    store.failNext = 1000;
    const { logger, lines } = memoryLogger();
    const writer = new AuditWriter({ store, logger, maxQueue: 3, retryMs: 1000 });
    for (let i = 0; i < 5; i++) writer.record(rec(i));
    await settle();
    expect(writer.stats()).toMatchObject({ pending: 3, dropped: 2 });
    expect(lines.some((l) => l.includes('audit queue overflow'))).toBe(true);
    writer.close();
  });

  test('a retried batch is not duplicated (ids are idempotency keys)', async () => {
    const store = new MemoryAuditStore();
    await store.append([rec(1)]);
    await store.append([rec(1), rec(2)]);
    expect(store.records).toHaveLength(2);
  });
});

describe('audit trail over HTTP', () => {
  test('every identity read and write is recorded with who, what, when, where and outcome — never demographics', async () => {
    const h = await mpiHarness();
    const writer = await h.auth('system/Patient.write system/Patient.read', 'lab-system');
    const reg = await h.server.inject({ method: 'POST', url: '/mpi/register', payload: aPerson(), headers: { ...writer, 'x-openhim-transactionid': 'tx-123' }, remoteAddress: '10.1.2.3' });
    const mpiId = JSON.parse(reg.payload).mpi_id as string;
    await h.server.inject({ url: `/mpi/${mpiId}`, headers: writer });
    await h.server.inject({ url: `/mpi/${mpiId}` });
    await h.server.inject({ method: 'POST', url: '/mpi/merge', payload: {}, headers: writer });
    await settle();
    const ops = h.audit.records.map((r) => [r.operation, r.httpStatus, r.agent.clientId]);
    expect(ops).toEqual([['mpi.register', 201, 'lab-system'], ['mpi.read', 200, 'lab-system'], ['mpi.read', 401, 'anonymous'], ['mpi.merge', 403, 'lab-system']]);
    const first = h.audit.records[0] as AuditRecord;
    expect(first).toMatchObject({ action: 'C', outcome: '0', mpiIds: [mpiId], agent: { address: '10.1.2.3', transactionId: 'tx-123' } });
    expect(first.sourceIds[0]).toMatch(/^urn:passerelle:api\|/);
    expect(JSON.stringify(h.audit.records)).not.toMatch(/Aminata|Diallo|1988-04-12|123 45 67/);
  });

  test('GET /fhir/AuditEvent: searchset Bundle filtered by date, agent and entity; mpi/admin only', async () => {
    const h = await mpiHarness();
    await h.audit.append([rec(1), rec(2, { agent: { clientId: 'c2', userId: 'nurse-7' } }), rec(3, { mpiIds: ['SN-X'], sourceIds: ['urn:dhis2|abc'] })]);
    const admin = await h.auth('mpi/admin');
    const get = async (q: string, headers = admin): Promise<{ status: number; body: Json }> => {
      const res = await h.server.inject({ url: `/fhir/AuditEvent${q}`, headers });
      return { status: res.statusCode, body: JSON.parse(res.payload) as Json };
    };
    const all = await get('');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(all.body.entry[0].resource).toMatchObject({ resourceType: 'AuditEvent', id: 'r3', action: 'R', outcome: '0', agent: [{ who: { identifier: { value: 'c1' } }, requestor: true }] });
    expect((await get('?agent=c2')).body.total).toBe(1);
    expect((await get('?agent=nurse-7')).body.total).toBe(1);
    expect((await get('?entity=SN-X')).body.total).toBe(1);
    expect((await get(`?entity=${encodeURIComponent('urn:dhis2|abc')}`)).body.total).toBe(1);
    // (the searches themselves are audited with today's date, hence the upper bound)
    expect((await get('?date=ge2026-01-01T00:02:00Z&date=le2026-01-01')).body.total).toBe(2);
    expect((await get('?date=ge2026-01-01T00:02:00Z&date=lt2026-01-01T00:03:00Z')).body.total).toBe(1);
    const paged = await get('?_count=1');
    expect(paged.body.entry).toHaveLength(1);
    expect(paged.body.link.find((l: Json) => l.relation === 'next').url).toContain('_offset=1');
    expect((await get('?date=yesterday')).status).toBe(400);
    expect((await get('?foo=1')).body.resourceType).toBe('OperationOutcome');
    expect((await get('?_count=100000')).status).toBe(400);
    expect((await get('', await h.auth(`system/Patient.read mpi/review`))).status).toBe(403);
    expect((await get('', {})).status).toBe(401);
  });
});
