/**
 * FHIR R4 `message` Bundles for Passerelle's own events (review tasks, health workers): a
 * MessageHeader whose `eventCoding` is the CloudEvents type and whose focus is the entry that
 * follows it. Patient identity events use the IHE PMIR shape instead (registry/pmir-event.ts).
 */
import type { Bundle, BundleEntry, FhirResource, MessageHeader } from 'fhir/r4';

/** Code system of `MessageHeader.eventCoding` in Passerelle's messages: the CloudEvents `ce_type`. */
export const EVENT_TYPE_SYSTEM = 'urn:passerelle:event-type';

/** What a message carries. */
export interface FhirMessageInput {
  /** The event id (CloudEvents `ce_id`); also the Bundle id. */
  id: string;
  /** The CloudEvents type, e.g. `org.passerelle.review.opened`. */
  type: string;
  time: string;
  /** `urn:passerelle:<instance>`. */
  sourceEndpoint: string;
  /** The resource the message is about, with its id (a Task, a Practitioner…). */
  focus: FhirResource & { id: string };
}

/**
 * A `message` Bundle: its MessageHeader entry first, then the entries it focuses on.
 * @param id - the Bundle id (the event id)
 * @param time - its timestamp
 * @param entries - the MessageHeader entry, then the focus entries
 */
export function messageBundle(id: string, time: string, entries: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', id, type: 'message', timestamp: time, entry: entries };
}

/**
 * Build the message Bundle.
 * @param input - id, type, time, source and focus resource
 */
export function buildFhirMessage(input: FhirMessageInput): Bundle {
  const focusUrl = `${input.focus.resourceType}/${input.focus.id}`;
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: `${input.id}-header`,
    eventCoding: { system: EVENT_TYPE_SYSTEM, code: input.type },
    source: { endpoint: input.sourceEndpoint },
    focus: [{ reference: focusUrl }],
  };
  return messageBundle(input.id, input.time, [
    { fullUrl: `MessageHeader/${header.id ?? ''}`, resource: header },
    { fullUrl: focusUrl, resource: input.focus },
  ]);
}
