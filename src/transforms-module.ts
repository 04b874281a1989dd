/**
 * Assembles the mappings for the composition root and the tools (`npm run mapping`, the sync CLI,
 * the benchmarks): the bundled and deployment mapping folders, the terminology behind `$translate`,
 * the live settings behind `$settings` and `$dhis2Attribute`, and the FHIR R4 validator of the FHIR
 * API for the mapped output.
 */
import { join } from 'node:path';
import type { ConceptMap, Resource } from 'fhir/r4';
import type { LiveSettings } from './config/live';
import type { Logger } from './core/logger';
import { MediatorError } from './core/errors';
import { FhirFormats } from './fhir/format';
import { validateResource } from './fhir/validate';
import { bundledTerminologyDir, loadTerminology } from './terminology/load';
import { createTerminologyService } from './terminology/service';
import type { TerminologyService } from './terminology/service';
import { createTranslator } from './terminology/translate';
import { bundledMappingsDir, loadTransforms } from './transforms';
import type { OutputIssue, OutputValidator, Transforms, TransformsOptions } from './transforms';
import { dhis2AttributeTable, mappingSettingsOf } from './transforms/settings';

/** What the mappings are built from. */
export interface TransformsModuleOptions {
  /** MAPPINGS_DIR: `*.jsonata` mappings and a `terminology/` folder of the deployment. */
  mappingsDir?: string;
  /** The current live settings (read at each evaluation, so reconfiguration applies at once). */
  live: () => LiveSettings;
  /** DEFAULT_PHONE_COUNTRY. */
  phoneCountry: string;
  /** Terminology already loaded by the caller (the app shares it with the FHIR API). */
  terminology?: TerminologyService;
  /** `interpreter` keeps every mapping on JSONata's interpreter (default: compiled where possible). */
  engine?: 'auto' | 'interpreter';
  /** Logs, at debug, which engine runs each mapping. */
  logger?: Pick<Logger, 'debug'>;
}

/**
 * The FHIR R4 check of a mapped resource: the FHIR API's own validation of received resources.
 * @param formats - the FHIR (de)serialiser
 */
export function fhirOutputValidator(formats: FhirFormats = new FhirFormats()): OutputValidator {
  return (resource, resourceType) => {
    try {
      validateResource<Resource>(resource, resourceType, formats);
      return [];
    } catch (err) {
      if (!(err instanceof MediatorError)) throw err;
      const issues = (err.details.issues ?? []) as Array<{ diagnostics?: string; expression?: string[] }>;
      return issues.length > 0
        ? issues.map((i): OutputIssue => ({ path: i.expression?.[0], message: i.diagnostics ?? 'invalid element' }))
        : [{ message: err.message }];
    }
  };
}

/**
 * The deployment's terminology (bundled plus MAPPINGS_DIR/terminology).
 * @param mappingsDir - MAPPINGS_DIR, if any
 */
export function loadDeploymentTerminology(mappingsDir?: string): TerminologyService {
  return createTerminologyService(loadTerminology([bundledTerminologyDir(), ...(mappingsDir ? [join(mappingsDir, 'terminology')] : [])]));
}

/**
 * What every evaluation of a mapping sees besides its input: the custom functions' options and the
 * `$settings` binding, both derived from the live settings once per live-settings object.
 * @param opts - settings, phone country and terminology
 */
export function mappingEnvironment(opts: TransformsModuleOptions): Pick<TransformsOptions, 'functions' | 'settings'> {
  const terminology = opts.terminology ?? loadDeploymentTerminology(opts.mappingsDir);
  const translate = createTranslator(terminology.list('ConceptMap') as ConceptMap[]);
  let cachedFor: LiveSettings | null = null;
  let settings: Record<string, unknown> = {};
  let attributes: Record<string, readonly string[]> = {};
  // Derived once per live-settings object, not once per record.
  const current = (): void => {
    const live = opts.live();
    if (live === cachedFor) return;
    cachedFor = live;
    settings = mappingSettingsOf(live) as unknown as Record<string, unknown>;
    attributes = dhis2AttributeTable(live);
  };
  return {
    functions: {
      translate: (url, code) => translate(url, undefined, code),
      phoneCountry: () => opts.phoneCountry,
      dhis2Attributes: () => {
        current();
        return attributes;
      },
    },
    settings: () => {
      current();
      return settings;
    },
  };
}

/**
 * Compile every mapping (throws MappingCompileError naming file, line and token).
 * @param opts - folders, settings and terminology
 */
export function buildTransforms(opts: TransformsModuleOptions): Transforms {
  return loadTransforms({
    dirs: [bundledMappingsDir(), ...(opts.mappingsDir ? [opts.mappingsDir] : [])],
    ...mappingEnvironment(opts),
    validate: fhirOutputValidator(),
    engine: opts.engine,
    logger: opts.logger,
  });
}
