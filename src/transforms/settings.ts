/**
 * What the mappings see of the live settings: the `$settings` binding (identifier systems) and the
 * DHIS2 attribute table of `$dhis2Attribute`. Both are derived from one LiveSettings object, so a
 * reconfiguration replaces them together.
 */
import type { LiveSettings } from '../config/live';

/** The `$settings` binding, documented in src/transforms/README.md. */
export interface MappingSettings {
  nationalIdSystem: string;
  dhis2System: string;
  openmrsSystem: string;
  /** OpenMRS identifier type (UUID or name) → identifier system. */
  openmrsIdentifierTypeSystems: Record<string, string>;
  /** The identifier type the MPI ID is written back as: left out of mapped patients (it is ours). */
  openmrsMpiIdentifierType?: string;
  ihrisSystem: string;
  ncrSystem: string;
  /** Identifier system of CSV rows: `<csvSystem>:<source column or "csv">`. */
  csvSystem: string;
}

/**
 * The identifier system of the national registry's source records (its Patients), beside the
 * registry's person ids (golden records), which are cross-referenced under `ncrIdentifierSystem`.
 * @param ncrIdentifierSystem - the registry's system
 */
export function ncrSourceRecordSystem(ncrIdentifierSystem: string): string {
  return `${ncrIdentifierSystem}/source-record`;
}

/**
 * The `$settings` binding from the live settings.
 * @param live - the current live settings
 */
export function mappingSettingsOf(live: LiveSettings): MappingSettings {
  const typeSystems: Record<string, string> = {};
  for (const pair of live.openmrsIdentifierTypeSystems) {
    const at = pair.indexOf('=');
    typeSystems[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    nationalIdSystem: live.nationalIdSystem,
    dhis2System: live.dhis2IdentifierSystem,
    openmrsSystem: live.openmrsIdentifierSystem,
    openmrsIdentifierTypeSystems: typeSystems,
    ...(live.openmrsMpiIdentifierType ? { openmrsMpiIdentifierType: live.openmrsMpiIdentifierType } : {}),
    ihrisSystem: live.ihrisIdentifierSystem,
    ncrSystem: ncrSourceRecordSystem(live.ncrIdentifierSystem),
    csvSystem: 'urn:passerelle:csv',
  };
}

/**
 * The DHIS2 attribute table of `$dhis2Attribute` (logical field → UIDs).
 * @param live - the current live settings
 */
export function dhis2AttributeTable(live: LiveSettings): Record<string, readonly string[]> {
  return {
    firstName: live.dhis2FirstNameAttributes,
    lastName: live.dhis2LastNameAttributes,
    sex: live.dhis2SexAttributes,
    birthDate: live.dhis2BirthDateAttributes,
    nationalId: live.dhis2NationalIdAttributes,
    phone: live.dhis2PhoneAttributes,
    address: live.dhis2AddressAttributes,
  };
}
