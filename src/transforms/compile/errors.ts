/**
 * The errors compiled mappings throw: JSONata's own shape (a plain object with `code`, `value`,
 * `token`…, whose `message` comes from the interpreter's template table) so that a compiled error
 * reads like the interpreter's, and `NeedsInterpreter`, which hands one evaluation back to the
 * interpreter when the compiled code meets something only the interpreter can do.
 */

/** A JSONata evaluation error as the interpreter throws it. */
export interface JsonataErrorObject {
  code: string;
  message?: string;
  stack?: string;
  value?: unknown;
  value2?: unknown;
  index?: number;
  token?: string;
  position?: number;
  [field: string]: unknown;
}

/** The compiled code cannot finish this evaluation the interpreter's way (an async function's promise…). */
export class NeedsInterpreter extends Error {
  /**
   * @param why - what the compiled code met
   */
  constructor(why: string) {
    super(why);
    this.name = 'NeedsInterpreter';
  }
}

/**
 * Throw a JSONata error object (its message filled in later by `populateMessage`, as the
 * interpreter does).
 * @param code - JSONata error code
 * @param fields - value, index, token…
 */
export function raise(code: string, fields: Omit<JsonataErrorObject, 'code'> = {}): never {
  // JSONata throws plain objects, not Error instances; the failure reason is read off their fields.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw { code, stack: new Error().stack, ...fields } satisfies JsonataErrorObject;
}

// The interpreter's templates (jsonata.js `errorCodes`) for every code the compiled subset can throw.
const TEMPLATES: Record<string, string> = {
  T0410: 'Argument {{index}} of function {{token}} does not match function signature',
  T0411: 'Context value is not a compatible type with argument {{index}} of function {{token}}',
  T0412: 'Argument {{index}} of function {{token}} must be an array of {{type}}',
  D1001: 'Number out of range: {{value}}',
  D1002: 'Cannot negate a non-numeric value: {{value}}',
  T1003: 'Key in object structure must evaluate to a string; got: {{value}}',
  D1004: 'Regular expression matches zero length string',
  T1006: 'Attempted to invoke a non-function',
  D1009: 'Multiple key definitions evaluate to same key: {{value}}',
  T1010: 'The matcher function argument passed to function {{token}} does not return the correct object structure',
  D1013: 'Object property names starting with _jsonata_ are reserved for internal use: {{value}}',
  T2001: 'The left side of the {{token}} operator must evaluate to a number',
  T2002: 'The right side of the {{token}} operator must evaluate to a number',
  T2007: 'Type mismatch when comparing values {{value}} and {{value2}} in order-by clause',
  T2008: 'The expressions within an order-by clause must evaluate to numeric or string values',
  T2009: 'The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type',
  T2010: 'The expressions either side of operator {{token}} must evaluate to numeric or string values',
  D3001: 'Attempting to invoke string function on Infinity or NaN',
  D3030: 'Unable to cast value to a number: {{value}}',
  D3137: '{{{message}}}',
  D3140: 'Malformed URL passed to ${{{functionName}}}(): {{value}}',
};

/**
 * Fill `err.message` from its code's template, as the interpreter does before an error leaves
 * `evaluate` (`{{{x}}}` inserts the field, `{{x}}` its JSON). Anything else is left as it is.
 * @param err - what evaluation threw
 */
export function populateMessage(err: unknown): void {
  if (err === null || typeof err !== 'object') return;
  const e = err as JsonataErrorObject;
  const template = TEMPLATES[e.code];
  if (template === undefined) return;
  e.message = template
    .replace(/\{\{\{([^}]+)}}}/g, (_m, field: string) => String(e[field]))
    .replace(/\{\{([^}]+)}}/g, (_m, field: string) => String(JSON.stringify(e[field])));
}
