/**
 * Load CodeSystem, ValueSet and ConceptMap resources from JSON files (the bundled
 * `src/transforms/terminology/` folder and a deployment's `MAPPINGS_DIR/terminology/`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CodeSystem, ConceptMap, ValueSet } from 'fhir/r4';

export type TerminologyResource = CodeSystem | ValueSet | ConceptMap;

const TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

/**
 * The bundled terminology folder (source tree or next to the compiled code).
 * @param baseDir - directory to resolve from (default: this module's directory)
 */
export function bundledTerminologyDir(baseDir: string = __dirname): string {
  const candidates = [path.join(baseDir, '..', 'transforms', 'terminology'), path.join(process.cwd(), 'src', 'transforms', 'terminology')];
  return candidates.find((d) => existsSync(d)) ?? (candidates[0] as string);
}

/**
 * Read every `*.json` terminology resource of the given folders (missing folders are skipped).
 * Throws naming the file when one is not valid JSON or not a terminology resource.
 * @param dirs - folders to read
 */
export function loadTerminology(dirs: string[]): TerminologyResource[] {
  const out: TerminologyResource[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const full = path.join(dir, file);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(full, 'utf8'));
      } catch (err) {
        throw new Error(`Terminology file ${full} is not valid JSON: ${(err as Error).message}`);
      }
      const type = (parsed as { resourceType?: unknown }).resourceType;
      if (typeof type !== 'string' || !TYPES.has(type)) throw new Error(`Terminology file ${full} is not a CodeSystem, ValueSet or ConceptMap`);
      out.push(parsed as TerminologyResource);
    }
  }
  return out;
}
