/**
 * Orchestrations: the upstream calls (DHIS2, OpenMRS, iHRIS, the national registry, a Kafka publish…)
 * made while serving one request or one sync run. OpenHIM shows them in its transaction log, one per
 * call, from the `orchestrations` of the mediator's response envelope (src/openhim). Channels and the
 * event publisher report them to a sink they are handed; they never know about HTTP or OpenHIM.
 */

/** One upstream call as OpenHIM records it (bodies as strings; timestamps ISO 8601). */
export interface Orchestration {
  /** What was called, e.g. `DHIS2 trackedEntities page 3`. */
  name: string;
  request: { method: string; url: string; timestamp: string; headers?: Record<string, string>; body?: string; querystring?: string };
  response: { status: number; timestamp: string; headers?: Record<string, string>; body?: string };
}

/** Where an upstream call reports its orchestration (a request's log, a sync run's log, or nowhere). */
export type OrchestrationSink = (orchestration: Orchestration) => void;

/** A sink that keeps nothing (calls made outside any request or run). */
export const discardOrchestration: OrchestrationSink = () => undefined;
