/**
 * Instant OpenHIE compatibility (contracts.md §3, `2xx` topic, off by default): a Bundle Passerelle
 * accepted through `POST /fhir` or `$process-message` is handed on as received. A batch goes with
 * the entries that succeeded only, so that downstream consumers never see what was refused.
 */
import type { Bundle, BundleEntry } from 'fhir/r4';
import type { FhirHandler } from '../types';

function succeeded(response: BundleEntry | undefined): boolean {
  return /^2\d\d/.test(response?.response?.status ?? '');
}

/**
 * Wrap a Bundle-processing handler so that an accepted Bundle is handed to `api.bundleAccepted`.
 * @param handler - processBundle or processMessage
 */
export function feedingAcceptedBundles(handler: FhirHandler): FhirHandler {
  return async (req, api) => {
    const result = await handler(req, api);
    if (!api.bundleAccepted) return result;
    const bundle = req.body as Bundle;
    if (bundle.type === 'batch') {
      const responses = (result[1] as Bundle | undefined)?.entry ?? [];
      const entry = (bundle.entry ?? []).filter((_, i) => succeeded(responses[i]));
      if (entry.length > 0) await api.bundleAccepted({ ...bundle, entry }, req.actor);
    } else {
      await api.bundleAccepted(bundle, req.actor);
    }
    return result;
  };
}
