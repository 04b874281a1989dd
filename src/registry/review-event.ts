/**
 * Review events (topic `review`, keyed by the MPI ID concerned): a FHIR message Bundle whose focus
 * is a `Task` describing the review task — which source record, which candidate golden records, and
 * once resolved, the decision. References and codes only: no demographics travel on this topic.
 */
import type { Task, TaskOutput } from 'fhir/r4';
import { buildFhirMessage } from '../core/fhir-message';
import type { OutboxEvent } from '../core/types';

export type ReviewEventType = 'opened' | 'resolved';

/** Identifier system of review tasks (`/mpi/reviews/{id}`). */
export const REVIEW_TASK_SYSTEM = 'urn:passerelle:review-task';

/** The task a review event describes. */
export interface ReviewEventTask {
  id: string;
  /** Id of the source Patient the task is about. */
  sourceId: string;
  /** Candidate golden records (MPI IDs). */
  candidates: string[];
  resolution?: { action: 'link' | 'not-a-match' | 'merge'; mpiId?: string };
}

/** Input of the review event builder. */
export interface ReviewEventInput {
  id: string;
  type: ReviewEventType;
  time: string;
  /** The MPI ID the task concerns (event key and subject). */
  mpiId: string;
  task: ReviewEventTask;
  sourceEndpoint: string;
  transactionId?: string;
}

function outputs(task: ReviewEventTask): TaskOutput[] {
  const r = task.resolution;
  if (!r) return [];
  return [
    { type: { text: 'decision' }, valueCode: r.action },
    ...(r.mpiId ? [{ type: { text: 'decided golden record' }, valueReference: { reference: `Patient/${r.mpiId}` } }] : []),
  ];
}

/**
 * The FHIR Task of a review event.
 * @param input - the event description
 */
export function reviewTask(input: ReviewEventInput): Task & { id: string } {
  const out = outputs(input.task);
  return {
    resourceType: 'Task',
    id: input.task.id,
    identifier: [{ system: REVIEW_TASK_SYSTEM, value: input.task.id }],
    status: input.type === 'opened' ? 'requested' : 'completed',
    intent: 'proposal',
    code: { coding: [{ system: 'urn:passerelle:task-type', code: 'possible-match-review', display: 'Review a possible match' }] },
    focus: { reference: `Patient/${input.task.sourceId}` },
    for: { reference: `Patient/${input.mpiId}` },
    lastModified: input.time,
    ...(input.task.candidates.length > 0 ? { input: input.task.candidates.map((m) => ({ type: { text: 'candidate golden record' }, valueReference: { reference: `Patient/${m}` } })) } : {}),
    ...(out.length > 0 ? { output: out } : {}),
  };
}

/**
 * A review event ready for the outbox.
 * @param input - the event description
 */
export function buildReviewEvent(input: ReviewEventInput): OutboxEvent {
  const type = `org.passerelle.review.${input.type}`;
  const payload = buildFhirMessage({ id: input.id, type, time: input.time, sourceEndpoint: input.sourceEndpoint, focus: reviewTask(input) });
  return { id: input.id, topic: 'review', key: input.mpiId, type, subject: input.mpiId, time: input.time, payload, ...(input.transactionId ? { transactionId: input.transactionId } : {}) };
}
