/**
 * Identifier domains (assigning authorities) the registry knows: drives the 400/403 rules of PIXm
 * and the domain filter of PDQm. A domain is known when configured, or when at least one source
 * record carries an identifier in it.
 */
import type { RegistryService } from '../registry/api';

/** Which identifier systems the registry knows. */
export interface IdentifierDomains {
  /**
   * Whether the system is a known identifier domain.
   * @param system - identifier system URI
   */
  isKnown(system: string): Promise<boolean>;
}

/**
 * Domains from configuration plus what the registry holds.
 * @param registry - the registry service
 * @param configured - systems always known (e.g. the MPI ID system, national id systems)
 */
export function createIdentifierDomains(registry: RegistryService, configured: string[] = []): IdentifierDomains {
  const known = new Set(configured);
  return {
    async isKnown(system: string): Promise<boolean> {
      if (known.has(system)) {
        return true;
      }
      if (await registry.identifierSystemKnown(system)) {
        known.add(system);
        return true;
      }
      return false;
    },
  };
}
