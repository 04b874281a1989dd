/** Why the ingest refuses a payload or a record (it goes to the dead-letter topic). */
export class IngestRefusal extends Error {
  /**
   * @param code - dead-letter code (unparseable, no-mapping, transform-failed, invalid…)
   * @param message - the reason, for a person to read (no personal data)
   */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefusal';
  }
}
