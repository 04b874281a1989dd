/**
 * Identity tokens for cards and QR codes. `GET /mpi/verify/{token}` is public: it answers only
 * valid / revoked / not_found with a timestamp, with the same shape, status code and code path for
 * every input (malformed and unknown tokens included), and never any personal data.
 */
import { z } from 'zod';
import { MediatorError } from '../../core/errors';
import { noteAudit } from '../../audit/context';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { mpiIdParams, tokenIssued, tokenParams, tokenStatus } from '../schemas';

const issue = defineRoute<z.infer<typeof mpiIdParams>>({
  method: 'POST', path: '/mpi/{mpi_id}/tokens', operationId: 'issueIdentityToken', tags: ['tokens'],
  summary: 'Issue an opaque verification token for an identity (shown once)',
  security: { scope: 'system/Patient.write' }, audit: 'mpi.token.issue', params: mpiIdParams,
  responses: { 201: { description: 'The token', schema: tokenIssued } },
  async handler({ params, actor, request, deps }) {
    const found = await deps.registry.getGolden(params.mpi_id);
    if (!found) throw new MediatorError('not-found', 'No identity with this MPI ID');
    const { token, issuedAt } = await deps.registry.issueToken(found.golden.mpiId, actor);
    noteAudit(request, { mpiIds: [found.golden.mpiId] });
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { token, issued_at: issuedAt, verify_path: `/mpi/verify/${token}` } };
  },
});

const revoke = defineRoute<z.infer<typeof tokenParams>>({
  method: 'DELETE', path: '/mpi/tokens/{token}', operationId: 'revokeIdentityToken', tags: ['tokens'],
  summary: 'Revoke a token', security: { scope: 'system/Patient.write' }, audit: 'mpi.token.revoke', params: tokenParams,
  responses: { 204: { description: 'Revoked' }, 404: { description: 'Unknown token' } },
  async handler({ params, actor, deps }) {
    await deps.registry.revokeToken(params.token, actor);
    return { status: 204 };
  },
});

const verify = defineRoute<{ token: string }>({
  method: 'GET', path: '/mpi/verify/{token}', operationId: 'verifyIdentityToken', tags: ['tokens'],
  summary: 'Public: is this token valid, revoked or unknown? Never returns personal data',
  security: { public: true }, audit: 'mpi.token.verify', params: z.object({ token: z.string() }),
  responses: { 200: { description: 'The token status', schema: tokenStatus } },
  async handler({ params, deps }) {
    // Over-long input is looked up as a fixed dummy so every answer takes the same path and shape.
    const token = params.token.length <= 256 ? params.token : '-';
    let result: { status: 'valid' | 'revoked' | 'not_found'; checkedAt: string };
    try {
      result = await deps.registry.verifyToken(token);
    } catch {
      result = { status: 'not_found', checkedAt: new Date().toISOString() };
    }
    return { headers: { 'Cache-Control': 'no-store' }, body: { status: result.status, checked_at: result.checkedAt } };
  },
});

/** Token routes. */
export const tokenRoutes: MpiRoute[] = [issue, revoke, verify];
