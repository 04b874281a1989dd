/**
 * How a source's native payload becomes FHIR for the ingest: one mapping per source system. A
 * payload that already is FHIR (a Patient, or a Bundle holding Patients) needs none. The JSONata
 * mappings of src/transforms plug in here, one `IngestMapping` per source (README "Inbound ingest
 * from Kafka"): `{ toFhir: (payload) => transforms.get('<source>-patient').evaluate(payload) }`.
 */

/** Turns one native payload of a source into FHIR (a Patient, or a Bundle of Patients). */
export interface IngestMapping {
  /**
   * @param payload - the parsed message value
   * @param origin - the source system it came from
   * @returns FHIR JSON (validated afterwards like any FHIR payload); throw to refuse the payload
   */
  toFhir(payload: unknown, origin: { source: string }): Promise<unknown>;
}

/** A payload that already is FHIR JSON (Patient or Bundle) goes through unchanged. */
export const fhirPassthrough: IngestMapping = {
  toFhir: async (payload) => payload,
};

/**
 * Whether a parsed value looks like FHIR JSON the ingest takes as is.
 * @param payload - parsed JSON
 */
export function isFhirPayload(payload: unknown): boolean {
  const type = (payload as { resourceType?: unknown } | null)?.resourceType;
  return type === 'Patient' || type === 'Bundle';
}

/**
 * The mapping for a payload of `source`: the source's own mapping when there is one, else FHIR as is
 * when the payload already is FHIR, else none (the payload goes to the dead-letter topic).
 * @param mappings - mappings by source name
 * @param source - the source system
 * @param payload - the parsed payload
 */
export function mappingFor(mappings: ReadonlyMap<string, IngestMapping>, source: string, payload: unknown): IngestMapping | null {
  return mappings.get(source) ?? (isFhirPayload(payload) ? fhirPassthrough : null);
}
