/**
 * Content negotiation and (de)serialisation: `application/fhir+json` by default,
 * `application/fhir+xml` on request (`_format` wins over `Accept`; JSON wins ties). XML goes through
 * the `fhir` package, after a well-formedness and namespace check it does not do itself.
 */
import { Fhir } from 'fhir';
import type { Resource } from 'fhir/r4';
import { MediatorError } from '../core/errors';

export type Format = 'json' | 'xml';

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_XML = 'application/fhir+xml';

const FORMAT_PARAM: Record<string, Format> = {
  json: 'json', 'application/json': 'json', 'application/fhir+json': 'json',
  xml: 'xml', 'text/xml': 'xml', 'application/xml': 'xml', 'application/fhir+xml': 'xml',
};

const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json', 'text/json']);
const XML_TYPES = new Set(['application/fhir+xml', 'application/xml', 'text/xml']);

interface AcceptItem {
  type: string;
  q: number;
}

function parseAccept(accept: string): AcceptItem[] {
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type.trim(), q: q ? Number(q.slice(2)) || 0 : 1 };
  });
}

function acceptWeight(items: AcceptItem[], kind: Format): number {
  const types = kind === 'json' ? JSON_TYPES : XML_TYPES;
  const wild = kind === 'json' ? ['*/*', 'application/*'] : [];
  return Math.max(0, ...items.filter((i) => types.has(i.type) || wild.includes(i.type)).map((i) => i.q));
}

/**
 * Choose the response format.
 * @param accept - the Accept header
 * @param formatParam - the `_format` query parameter
 */
export function negotiate(accept: string | undefined, formatParam: string | undefined): Format {
  if (formatParam !== undefined) {
    const f = FORMAT_PARAM[formatParam.trim().toLowerCase().split(';')[0] ?? ''];
    if (!f) {
      throw new MediatorError('not-acceptable', 'Unsupported _format; use json or xml');
    }
    return f;
  }
  if (!accept) {
    return 'json';
  }
  const items = parseAccept(accept);
  const json = acceptWeight(items, 'json');
  const xml = acceptWeight(items, 'xml');
  return xml > json ? 'xml' : 'json';
}

/** The response content type of a format. */
export function contentTypeOf(format: Format): string {
  return `${format === 'xml' ? FHIR_XML : FHIR_JSON}; charset=utf-8`;
}

const TAG = /<(\/?)([A-Za-z_][\w:.-]*)(?:\s[^<>]*?)?(\/?)>/g;

function withoutMarkupNoise(xml: string): string {
  return xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}

/** How many times each element name opens in a document. */
function elementCounts(xml: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of withoutMarkupNoise(xml).matchAll(TAG)) if (!m[1]) counts.set(m[2] ?? '', (counts.get(m[2] ?? '') ?? 0) + 1);
  return counts;
}

/**
 * Elements of `input` that did not survive parsing: the `fhir` package silently drops elements it
 * does not know, so the parsed resource is written back and the element counts compared.
 * @param input - the request body
 * @param written - the parsed resource serialised again
 * @returns names of the dropped elements
 */
export function droppedElements(input: string, written: string): string[] {
  const after = elementCounts(written);
  return [...elementCounts(input)].filter(([name, n]) => n > (after.get(name) ?? 0)).map(([name]) => name);
}

/** Checks the `fhir` package skips: balanced tags, one root, the FHIR namespace, no DOCTYPE. */
function checkXml(xml: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new MediatorError('invalid', 'XML DOCTYPE and entity declarations are not allowed');
  }
  const body = withoutMarkupNoise(xml);
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(TAG)) {
    const [, close, name = '', selfClose] = m;
    if (close) {
      if (stack.pop() !== name) {
        throw new MediatorError('invalid', 'Malformed XML: unbalanced tags');
      }
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) {
      roots++;
    }
  }
  if (stack.length > 0 || roots !== 1) {
    throw new MediatorError('invalid', 'Malformed XML: expected one complete root element');
  }
  if (!/^\s*(?:<\?[\s\S]*?\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<[A-Za-z]+[^>]*\sxmlns="http:\/\/hl7\.org\/fhir"/.test(xml)) {
    throw new MediatorError('invalid', 'XML root element must be in the FHIR namespace http://hl7.org/fhir');
  }
}

/** JSON and XML (de)serialisation of FHIR resources. */
export class FhirFormats {
  private readonly fhir = new Fhir();

  /**
   * Parse a request body.
   * @param raw - the raw body
   * @param contentType - the Content-Type header
   */
  parse(raw: Buffer | string, contentType: string | undefined): unknown {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') {
      return undefined;
    }
    const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (XML_TYPES.has(mime)) {
      checkXml(text);
      let parsed: Resource;
      try {
        parsed = this.fhir.xmlToObj(text);
      } catch {
        throw new MediatorError('invalid', 'Malformed or unsupported FHIR XML');
      }
      const dropped = droppedElements(text, this.fhir.objToXml(parsed));
      if (dropped.length > 0) throw new MediatorError('invalid', `Unknown XML element(s): ${dropped.slice(0, 10).join(', ')}`);
      return parsed;
    }
    if (mime !== '' && !JSON_TYPES.has(mime)) {
      throw new MediatorError('unsupported-media-type', 'Use application/fhir+json or application/fhir+xml');
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new MediatorError('invalid', 'Malformed JSON body');
    }
  }

  /**
   * Serialise a resource.
   * @param resource - the resource
   * @param format - json or xml
   */
  render(resource: Resource, format: Format): string {
    return format === 'xml' ? this.fhir.objToXml(resource) : JSON.stringify(resource);
  }

  /**
   * Structural validation by the `fhir` package (unknown elements, codes, cardinality).
   * @param resource - the resource
   */
  validate(resource: Resource): Array<{ location?: string; message?: string }> {
    let result: ReturnType<Fhir['validate']>;
    try {
      result = this.fhir.validate(resource, { errorOnUnexpected: true });
    } catch (err) {
      // The package reads some elements without checking their type first (a Reference whose
      // `reference` is a number throws inside it): such a resource is invalid, not a server fault.
      return [{ message: `the resource could not be read as FHIR R4 (${err instanceof Error ? err.message : String(err)})` }];
    }
    return result.messages.filter((m) => String(m.severity) === 'error' || String(m.severity) === 'fatal');
  }
}
