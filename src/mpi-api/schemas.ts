/**
 * Wire schemas of the MPI REST API (zod). They validate requests (unknown fields rejected, every
 * string bounded and shaped) and generate the OpenAPI document, so the two cannot drift.
 */
import { z } from 'zod';

/** MPI IDs: upper-case letters, digits and dashes (the check character is verified by the registry). */
export const mpiId = z.string().regex(/^[A-Z0-9]{1,12}(-[A-Z0-9]{1,16}){0,5}$/).max(64).meta({ description: 'An MPI ID, e.g. SN-DKR-26-9XQ7LM2A', example: 'SN-DKR-26-9XQ7LM2A' });
const name = z.string().trim().min(1).max(100).regex(/^[\p{L}\p{M}' .-]+$/u, 'letters, spaces, apostrophes, dots and dashes only');
const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD').meta({ format: 'date' });
const code = z.string().regex(/^[A-Za-z0-9-]{1,10}$/);
const identifierSystem = z.string().min(1).max(256).regex(/^[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$/, 'a URI or identifier type name');
const identifierValue = z.string().min(1).max(128).regex(/^[A-Za-z0-9._~:/@+|-]+$/, 'letters, digits and . _ ~ : / @ + | -');
const reason = z.string().trim().min(3).max(500);
const isoDateTime = z.string().meta({ format: 'date-time' });

/** Demographics shared by register, match and patch. */
const demographics = {
  first_name: name,
  last_name: name,
  date_of_birth: isoDate,
  gender: z.enum(['M', 'F', 'U']),
  region_code: code,
  country_code: z.string().regex(/^[A-Z]{2}$/),
  phone_number: z.string().regex(/^\+?[0-9 ()-]{6,20}$/),
  external_ids: z.record(z.string().regex(/^(?:[a-z][a-z0-9_-]{0,39}|[a-z][a-z0-9+.-]{1,20}:[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]{1,200})$/, 'a configured short name or an identifier system URI'), identifierValue).refine((o) => Object.keys(o).length <= 20, 'at most 20 identifiers'),
};

export const registerBody = z.strictObject({
  ...demographics,
  external_ids: demographics.external_ids.optional(),
  phone_number: demographics.phone_number.optional(),
  region_code: demographics.region_code.optional(),
  country_code: demographics.country_code.optional(),
  force_create: z.boolean().optional().meta({ description: 'Register even when a likely duplicate exists (the override is recorded)' }),
}).meta({ id: 'RegisterRequest' });
export type RegisterBody = z.infer<typeof registerBody>;

export const matchBody = z.strictObject({
  ...Object.fromEntries(Object.entries(demographics).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof demographics]: z.ZodOptional<(typeof demographics)[K]> },
  limit: z.number().int().min(1).max(50).optional(),
}).meta({ id: 'MatchRequest' });
export type MatchBody = z.infer<typeof matchBody>;

export const patchBody = z.strictObject({
  first_name: name.optional(), last_name: name.optional(), date_of_birth: isoDate.optional(), gender: demographics.gender.optional(),
  region_code: code.optional(), country_code: demographics.country_code.optional(), phone_number: demographics.phone_number.optional(),
}).refine((o) => Object.keys(o).length > 0, 'at least one field').meta({ id: 'PatchRequest' });
export type PatchBody = z.infer<typeof patchBody>;

export const linkBody = z.strictObject({
  system: identifierSystem.optional().meta({ description: 'Identifier system URI (or a configured short name such as dhis2)' }),
  value: identifierValue,
  instance_url: z.url({ protocol: /^https?$/ }).max(256).optional().meta({ description: 'Instance base URL (e.g. of a DHIS2 server); with system it names the identifier namespace' }),
}).refine((o) => o.system !== undefined || o.instance_url !== undefined, 'system or instance_url is required').meta({ id: 'LinkRequest' });
export type LinkBody = z.infer<typeof linkBody>;

export const mergeBody = z.strictObject({ survivor_mpi_id: mpiId, retired_mpi_id: mpiId, reason }).meta({ id: 'MergeRequest' });
export const unmergeBody = z.strictObject({ mpi_id: mpiId, reason }).meta({ id: 'UnmergeRequest' });
export const resolveReviewBody = z.strictObject({
  action: z.enum(['link', 'not-a-match', 'merge']),
  mpi_id: mpiId.optional().meta({ description: 'The candidate golden record (link, merge)' }),
  reason,
  version: z.number().int().min(0).optional().meta({ description: 'The task version the decision was made on (or send If-Match)' }),
}).meta({ id: 'ResolveReviewRequest' });

const limit = z.coerce.number().int().min(1).max(100).default(20);
const offset = z.coerce.number().int().min(0).max(10_000).default(0);

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).regex(/^[\p{L}\p{M}' .-]+$/u).optional().meta({ description: 'Name words (prefix match)' }),
  mpi_id: mpiId.optional(),
  region_code: code.optional(),
  date_of_birth: isoDate.optional(),
  program: code.optional().meta({ description: 'Only people with an identifier in this programme (a configured identifier type)' }),
  identifier: identifierValue.optional().meta({ description: 'Only people holding an identifier with this value, in any system' }),
  limit, offset,
});
const score = z.coerce.number().min(0).max(1);
export const reviewsQuery = z.strictObject({
  state: z.enum(['open', 'resolved']).default('open'),
  older_than_days: z.coerce.number().int().min(0).max(3650).optional(),
  source: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional().meta({ description: 'Source system (dhis2, openmrs, …)' }),
  min_score: score.optional().meta({ description: "Only tasks whose best candidate's score is at least this" }),
  max_score: score.optional().meta({ description: "Only tasks whose best candidate's score is below this" }),
  limit: z.coerce.number().int().min(1).max(1000).default(20).meta({ description: 'Page size (a steward screen loads up to 1,000 tasks at once)' }),
  offset,
});
export const reviewCountsQuery = z.strictObject({ state: z.enum(['open', 'resolved']).default('open') });

export const mpiIdParams = z.strictObject({ mpi_id: mpiId });
export const reviewIdParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export const tokenParams = z.strictObject({ token: z.string().max(256) });
export const resolveParams = z.strictObject({ system: identifierSystem, value: identifierValue });

/** A golden record as the MPI API shows it. */
export const identity = z.object({
  mpi_id: z.string(), status: z.enum(['active', 'merged', 'inactive']), version: z.number().int(),
  first_name: z.string().optional(), last_name: z.string().optional(), date_of_birth: z.string().optional(),
  gender: z.enum(['M', 'F', 'U']).optional(), region_code: z.string().optional(), country_code: z.string().optional(),
  phone_number: z.string().optional(), external_ids: z.array(z.object({ system: z.string(), value: z.string() })),
  source_count: z.number().int(), created_at: isoDateTime, updated_at: isoDateTime,
  merged_into: z.string().optional(), redirected_from: z.string().optional(),
}).meta({ id: 'Identity' });
export type IdentityView = z.infer<typeof identity>;

export const fieldWeight = z.object({ field: z.string(), level: z.string(), weight: z.number() }).meta({ id: 'FieldWeight' });
export const registerResponse = z.object({ mpi_id: z.string(), status: z.enum(['created', 'linked', 'pending_review', 'updated', 'unchanged']), confidence: z.number(), created_at: isoDateTime, review_id: z.string().optional() }).meta({ id: 'RegisterResponse' });
export const duplicateResponse = z.object({
  type: z.string(), title: z.string(), detail: z.string(), status: z.literal('duplicate_detected'), existing_mpi_id: z.string(),
  similarity_score: z.number(), matched_fields: z.array(z.string()), action: z.literal('use_existing_or_review'),
}).meta({ id: 'DuplicateDetected' });
export const matchResponse = z.object({ items: z.array(z.object({ mpi_id: z.string(), score: z.number(), grade: z.string(), confidence: z.string(), matched_fields: z.array(z.string()), field_weights: z.array(fieldWeight) })) }).meta({ id: 'MatchResponse' });
export const searchResponse = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(identity) }).meta({ id: 'SearchResponse' });
const who = { client_id: z.string(), user_id: z.string().optional().meta({ description: "The person who acted (the token's subject), when the client acted for one" }) };
export const historyResponse = z.object({ items: z.array(z.object({ version: z.number(), at: isoDateTime, operation: z.string(), changed_fields: z.array(z.string()), status: z.string().optional(), ...who })) }).meta({ id: 'History' });
export const reviewSummary = z.object({
  id: z.string(), state: z.string(), source_system: z.string().optional(), created_at: isoDateTime, version: z.number(),
  best_score: z.number().meta({ description: "The best candidate's score" }),
  candidates: z.array(z.object({ mpi_id: z.string(), score: z.number() })),
  resolution: z.object({ action: z.string(), mpi_id: z.string().optional(), reason: z.string().optional(), at: isoDateTime, ...who }).optional(),
}).meta({ id: 'ReviewSummary' });
export const reviewList = z.object({ total: z.number().int(), items: z.array(reviewSummary) }).meta({ id: 'ReviewList' });
export const reviewCounts = z.object({
  state: z.string(), total: z.number().int(),
  by_source_system: z.array(z.object({ source_system: z.string(), count: z.number().int() })),
  by_score_band: z.array(z.object({ band: z.string(), min_score: z.number().optional(), max_score: z.number().optional(), count: z.number().int() })),
  by_age: z.array(z.object({ older_than_days: z.number().int(), count: z.number().int() })),
}).meta({ id: 'ReviewCounts' });
/** A source record linked to a golden record, as the steward sees it. */
export const sourceView = identity.pick({ first_name: true, last_name: true, date_of_birth: true, gender: true, region_code: true, country_code: true, phone_number: true, external_ids: true }).partial().extend({
  source_system: z.string(), system: z.string(), value: z.string(), active: z.boolean(),
  link: z.enum(['auto', 'manual']).nullable(), link_score: z.number().optional(), updated_at: isoDateTime,
}).meta({ id: 'SourceRecord' });
export const sourcesResponse = z.object({ total: z.number().int(), items: z.array(sourceView) }).meta({ id: 'Sources' });
export const mergesResponse = z.object({ items: z.array(z.object({ retired_mpi_id: z.string(), at: isoDateTime, reason: z.string().optional(), ...who })) }).meta({ id: 'Merges' });
export const reviewDetail = reviewSummary.extend({
  source: identity.partial(),
  candidates: z.array(z.object({ mpi_id: z.string(), score: z.number(), weight: z.number(), record: identity.partial(), field_weights: z.array(fieldWeight), sources: z.array(sourceView) })),
}).meta({ id: 'ReviewDetail' });
export const tokenIssued = z.object({ token: z.string(), issued_at: isoDateTime, verify_path: z.string() }).meta({ id: 'IdentityToken' });
export const tokenStatus = z.object({ status: z.enum(['valid', 'revoked', 'not_found']), checked_at: isoDateTime }).meta({ id: 'TokenStatus' });
export const problem = z.object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), errors: z.array(z.object({ path: z.string(), code: z.string() })).optional() }).meta({ id: 'Problem' });
