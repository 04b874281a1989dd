/**
 * Reading the OpenMRS Atom Feed module's feeds (`/ws/atomfeed/{category}/recent` and the numbered
 * pages, source-systems.md §2.4; the ICT4H atomfeed server behind it). A feed page is Atom 1.0: the
 * page's links (`self`, `via` — the recent page's own number — `prev-archive`, `next-archive`) and
 * entries, each with an id, an update time, categories (the event's action: CREATED, UPDATED, VOIDED…)
 * and a content naming the changed object: a JSON map of links (`{"rest": "/openmrs/ws/rest/v1/patient/
 * <uuid>?v=full", "fhir": …}`) in current versions, a bare REST path in older ones. The format is fixed
 * and small, so it is read here without an XML library; anything that is not such a feed is refused.
 */

/** One entry of a feed page. */
export interface AtomEntry {
  id: string;
  updated?: string;
  /** Category terms: the feed's category and the event's tags (its action first). */
  categories: string[];
  /** The content, unescaped (CDATA or text). */
  content: string;
}

/** One feed page. */
export interface AtomFeed {
  /** Link href by relation (`self`, `via`, `prev-archive`, `next-archive`). */
  links: Record<string, string>;
  entries: AtomEntry[];
}

/** A body that is not an Atom feed page. */
export class AtomFormatError extends Error {
  /** @param why - what is wrong (no personal data) */
  constructor(why: string) {
    super(why);
    this.name = 'AtomFormatError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Text of an element's content: CDATA sections as they are, everything else with XML entities decoded.
 * @param raw - what is between the element's tags
 */
export function xmlText(raw: string): string {
  return raw.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/).map((part) => (part.startsWith('<![CDATA[')
    ? part.slice(9, -3)
    : part.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m: string, e: string) => {
      if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
      return ENTITIES[e.toLowerCase()] ?? m;
    }))).join('').trim();
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? xmlText(m[2] ?? m[3] ?? '') : undefined;
}

function element(block: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:\\w+:)?${name}>)`).exec(block);
  return m ? xmlText(m[1] ?? '') : undefined;
}

function linksOf(block: string): Record<string, string> {
  const links: Record<string, string> = {};
  for (const [tag] of block.matchAll(/<(?:\w+:)?link\b[^>]*>/g)) {
    const rel = attribute(tag, 'rel') ?? 'alternate';
    const href = attribute(tag, 'href');
    if (href && !(rel in links)) links[rel] = href;
  }
  return links;
}

/**
 * Parse one feed page.
 * @param text - the response body
 */
export function parseAtomFeed(text: string): AtomFeed {
  const feed = /<(?:\w+:)?feed\b[^>]*>([\s\S]*)<\/(?:\w+:)?feed>\s*$/.exec(text);
  if (!feed) throw new AtomFormatError('not an Atom feed (no complete <feed> element)');
  const body = feed[1] as string;
  const entryBlocks = [...body.matchAll(/<(?:\w+:)?entry\b[^>]*>([\s\S]*?)<\/(?:\w+:)?entry>/g)].map((m) => m[1] as string);
  const head = body.replace(/<(?:\w+:)?entry\b[^>]*>[\s\S]*?<\/(?:\w+:)?entry>/g, '');
  const entries = entryBlocks.map((block, i): AtomEntry => {
    const id = element(block, 'id');
    if (!id) throw new AtomFormatError(`entry ${i + 1} has no id`);
    const updated = element(block, 'updated');
    const categories = [...block.matchAll(/<(?:\w+:)?category\b[^>]*>/g)].flatMap(([tag]) => attribute(tag, 'term') ?? []);
    return { id, ...(updated ? { updated } : {}), categories, content: element(block, 'content') ?? '' };
  });
  return { links: linksOf(head), entries };
}

/**
 * The number of a feed page from its URL (`…/patient/12`), or undefined (`…/recent`).
 * @param href - a page link
 */
export function pageNumberOf(href: string | undefined): number | undefined {
  const m = /\/(\d+)\/?(?:[?#].*)?$/.exec(href ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * The UUID of the patient an entry is about: from the content's `rest` link (or any link) or a bare path.
 * @param entry - a feed entry
 * @param resource - the REST resource named in the links (`patient`)
 */
export function subjectUuidOf(entry: AtomEntry, resource: string): string | undefined {
  let links: string[] = [entry.content];
  try {
    const parsed = JSON.parse(entry.content) as unknown;
    if (parsed && typeof parsed === 'object') {
      const map = parsed as Record<string, unknown>;
      links = [map.rest, ...Object.values(map)].filter((v): v is string => typeof v === 'string');
    }
  } catch {
    // an older module version: the content is the REST path itself
  }
  for (const link of links) {
    const m = new RegExp(`/${resource}/([A-Za-z0-9-]{1,64})(?:[/?#]|$)`, 'i').exec(link);
    if (m) return m[1];
  }
  return undefined;
}
