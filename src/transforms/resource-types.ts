/**
 * Which FHIR resource a mapping produces, by the convention of its name: `…-practitioner-role` maps
 * to a PractitionerRole, `…-practitioner` to a Practitioner, every other mapping to a Patient
 * (src/transforms/README.md). The channels and `npm run mapping` validate the output as that type.
 */

/** Resource types a mapping may produce. */
export type MappedResourceType = 'Patient' | 'Practitioner' | 'PractitionerRole';

/**
 * The resource type a mapping must produce.
 * @param name - mapping name (file name without `.jsonata`)
 */
export function resourceTypeOfMapping(name: string): MappedResourceType {
  if (name.endsWith('-practitioner-role')) return 'PractitionerRole';
  if (name.endsWith('-practitioner')) return 'Practitioner';
  return 'Patient';
}
