/**
 * Wire shapes of the sync API (snake_case, like the rest of the MPI API), for validation and the
 * OpenAPI document.
 */
import { z } from 'zod';
import { CHANNEL_NAMES } from '../../sync/ports';

const isoDateTime = z.string().meta({ format: 'date-time' });
const counts = z.object({
  received: z.number().int(), created: z.number().int(), updated: z.number().int(), linked: z.number().int(), review: z.number().int(),
  unchanged: z.number().int(), deactivated: z.number().int(), failed: z.number().int(), written_back: z.number().int(),
}).meta({ id: 'SyncCounts' });

export const runResult = z.object({
  run_id: z.string(), joined: z.boolean().optional(), status: z.enum(['running', 'succeeded', 'failed']), trigger: z.string().optional(),
  started_at: isoDateTime.optional(), finished_at: isoDateTime.optional(), pages: z.number().int().optional(), counts: counts.optional(),
  expected: z.number().int().optional(), error: z.string().optional(), caught_up: z.boolean().optional(),
}).meta({ id: 'SyncRun' });

export const channelStatus = z.object({
  channel: z.enum(CHANNEL_NAMES), enabled: z.boolean(), running: z.boolean(),
  progress: z.object({ scope: z.string(), records: z.number().int(), expected: z.number().int().optional(), rate_per_second: z.number(), eta_seconds: z.number().optional() }).optional(),
  last_run: runResult.nullable(), last_caught_up_at: isoDateTime.optional(), lag_seconds: z.number().int().optional(), next_run_at: isoDateTime.optional(),
  cursors: z.array(z.object({ scope: z.string(), position: z.unknown(), updated_at: isoDateTime })), open_failures: z.number().int(),
}).meta({ id: 'ChannelStatus' });
export const statusResponse = z.object({ channels: z.array(channelStatus) }).meta({ id: 'SyncStatus' });

const failure = z.object({
  id: z.string(), channel: z.string(), stage: z.enum(['receive', 'mapping', 'validation', 'registration', 'write-back', 'outbound']),
  resource_type: z.string(), resource_id: z.string().optional(), key: z.string(), mapping: z.string().optional(), reason: z.string(),
  issues: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(), status: z.enum(['open', 'resolved']),
  occurrences: z.number().int(), retries: z.number().int(), first_seen_at: isoDateTime, last_seen_at: isoDateTime, resolved_at: isoDateTime.optional(),
});
export const failureList = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(failure) }).meta({ id: 'SyncFailureList' });
export const failureDetail = failure.extend({ payload: z.unknown().optional() }).meta({ id: 'SyncFailure' });

export const failureQuery = z.strictObject({
  channel: z.enum([...CHANNEL_NAMES, 'csv']).optional(),
  resource_type: z.string().regex(/^[A-Za-z]{1,40}$/).optional().meta({ description: 'trackedEntity, Patient, Practitioner, PractitionerRole, row or page' }),
  resource_id: z.string().min(1).max(200).optional().meta({ description: "The source's id of the record (DHIS2 UID, OpenMRS UUID, iHRIS id…)" }),
  status: z.enum(['open', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const redriveBody = z.strictObject({
  channel: z.enum([...CHANNEL_NAMES, 'csv']).optional(), resource_type: z.string().regex(/^[A-Za-z]{1,40}$/).optional(),
  resource_id: z.string().min(1).max(200).optional(), limit: z.number().int().min(1).max(1000).default(100),
}).meta({ id: 'SyncRetryRequest' });
export const redriveResults = z.object({
  results: z.array(z.object({
    id: z.string(), status: z.enum(['resolved', 'failed', 'skipped']), reason: z.string().optional(),
    source_id: z.string().optional().meta({ description: 'The source record (`system|value`) the failure is about' }),
    mpi_id: z.string().optional().meta({ description: 'The golden record the record stands in, once re-driven' }),
  })),
}).meta({ id: 'SyncRetryResults' });

export const runQuery = z.strictObject({ wait: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').meta({ description: 'Answer when the run ends (default) or at once with 202' }) });

export const pushResult = z.object({
  counts, outcomes: z.array(z.object({ resource_type: z.string(), resource_id: z.string().optional(), status: z.string(), mpi_id: z.string().optional(), failure_id: z.string().optional() })),
}).meta({ id: 'PushResult' });
