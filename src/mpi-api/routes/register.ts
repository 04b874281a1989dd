/**
 * `POST /mpi/register` (with duplicate detection and `force_create`) and `POST /mpi/match`.
 */
import { MediatorError } from '../../core/errors';
import { noteAudit } from '../../audit/context';
import type { RegistrationResult } from '../../registry/api';
import { problemType } from '../problem';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { duplicateResponse, matchBody, matchResponse, problem, registerBody, registerResponse } from '../schemas';
import type { MatchBody, RegisterBody } from '../schemas';
import { candidateView, matchedFields, newApiIdentifier, round, toPatient } from '../views';

const STATUS: Record<RegistrationResult['outcome'], 'created' | 'linked' | 'pending_review' | 'updated' | 'unchanged'> = {
  created: 'created', linked: 'linked', review: 'pending_review', updated: 'updated', unchanged: 'unchanged',
};

const register = defineRoute<Record<string, never>, Record<string, never>, RegisterBody>({
  method: 'POST', path: '/mpi/register', operationId: 'registerIdentity', tags: ['identities'],
  summary: 'Register a person; 409 when a likely duplicate exists unless force_create is true',
  security: { scope: 'system/Patient.write' }, audit: 'mpi.register', body: registerBody,
  responses: {
    201: { description: 'Registered', schema: registerResponse },
    409: { description: 'A likely duplicate exists', schema: duplicateResponse, contentType: 'application/problem+json' },
    400: { description: 'Invalid request', schema: problem, contentType: 'application/problem+json' },
  },
  async handler({ body, actor, request, deps }) {
    const patient = toPatient(body, deps.identifierSystems, newApiIdentifier());
    if (!body.force_create) {
      const [best] = await deps.registry.match(patient, { count: 1 });
      if (best && (best.grade === 'certain' || best.grade === 'probable')) {
        noteAudit(request, { mpiIds: [best.mpiId], detail: { outcome: 'duplicate_detected' } });
        throw new MediatorError('duplicate', 'A likely duplicate of this person is already registered', {
          problem: {
            type: problemType('duplicate-detected'), title: 'Likely duplicate', status: 'duplicate_detected',
            existing_mpi_id: best.mpiId, similarity_score: round(best.score), matched_fields: matchedFields(best.explanation),
            action: 'use_existing_or_review',
          },
        });
      }
    }
    const result = await deps.registry.registerSource({ patient, sourceSystem: 'api', actor, forceCreate: body.force_create === true });
    noteAudit(request, { mpiIds: [result.golden.mpiId], sourceIds: [result.source.key], detail: { forceCreate: body.force_create === true, outcome: result.outcome } });
    const confidence = result.outcome === 'linked' ? (result.best?.score ?? 1) : 1 - (result.best?.score ?? 0);
    return {
      status: result.created || result.outcome === 'review' ? 201 : 200,
      headers: { Location: `/mpi/${result.golden.mpiId}` },
      body: { mpi_id: result.golden.mpiId, status: STATUS[result.outcome], confidence: round(confidence), created_at: result.golden.createdAt, ...(result.reviewTaskId ? { review_id: result.reviewTaskId } : {}) },
    };
  },
});

const match = defineRoute<Record<string, never>, Record<string, never>, MatchBody>({
  method: 'POST', path: '/mpi/match', operationId: 'matchIdentity', tags: ['identities'],
  summary: 'Score demographics against the registry without writing anything',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.match', body: matchBody,
  responses: { 200: { description: 'Candidates, best first, with per-field weights', schema: matchResponse } },
  async handler({ body, request, deps }) {
    const candidates = await deps.registry.match(toPatient(body, deps.identifierSystems), { count: body.limit ?? 10 });
    noteAudit(request, { mpiIds: candidates.map((c) => c.mpiId) });
    return { body: { items: candidates.map(candidateView) } };
  },
});

/** Registration and matching routes. */
export const registerRoutes: MpiRoute[] = [register, match];
