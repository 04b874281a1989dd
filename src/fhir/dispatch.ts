/** Dispatch a FHIR request through the route table (batch, transaction and PMIR entries). */
import { MediatorError } from '../core/errors';
import type { FhirRouter } from './router';
import type { FhirContext, FhirRequest, FhirResult } from './types';

/**
 * Run the handler of the route matching `req`, enforcing its scope when the caller's scopes are known.
 * @param router - the route table
 * @param api - handler context
 * @param req - the request
 */
export async function dispatch(router: FhirRouter, api: FhirContext, req: FhirRequest): Promise<FhirResult> {
  const found = router.find(req.method, req.path);
  if (!found) throw new MediatorError('not-found', `No route for ${req.method} ${req.path}`);
  const scope = found.route.scope;
  if (scope && req.scopes && !req.scopes.includes(scope)) {
    throw new MediatorError('forbidden', `Scope ${scope} is required`);
  }
  return found.route.handler({ ...req, params: found.params }, api);
}
