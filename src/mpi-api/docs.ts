/**
 * `/docs/openapi.json` and a readable `/docs` page rendered from the same document (no scripts, no
 * external assets; every value HTML-escaped).
 */
import type { Server } from '@hapi/hapi';

type Json = Record<string, unknown>;

const escape = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function operationRows(doc: Json): string {
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const access = op['x-public'] ? 'public' : `scope <code>${escape(op['x-required-scope'])}</code>`;
      rows.push(`<tr><td><b>${escape(method.toUpperCase())}</b></td><td><code>${escape(path)}</code></td><td>${escape(op.summary)}</td><td>${access}</td></tr>`);
    }
  }
  return rows.join('\n');
}

function problemRows(doc: Json): string {
  const types = (doc['x-problem-types'] ?? []) as Array<{ type: string; status: number; title: string }>;
  return types.map((t) => `<tr><td><code>${escape(t.type)}</code></td><td>${t.status}</td><td>${escape(t.title)}</td></tr>`).join('\n');
}

/**
 * The HTML page for an OpenAPI document.
 * @param doc - the OpenAPI document
 */
export function renderDocsPage(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body><h1>${escape(info.title)} <small>${escape(info.version)}</small></h1><p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.1). Tokens: <code>POST /oauth2/token</code> (client_credentials).</p>
<h2>Operations</h2><table><tr><th>Method</th><th>Path</th><th>What it does</th><th>Access</th></tr>
${operationRows(doc)}</table>
<h2>Problem types</h2><table><tr><th>type</th><th>status</th><th>title</th></tr>
${problemRows(doc)}</table></body></html>`;
}

/**
 * Register the documentation routes (public).
 * @param server - the hapi server
 * @param doc - the generated OpenAPI document
 */
export function registerDocsRoutes(server: Server, doc: Json): void {
  const html = renderDocsPage(doc);
  server.route([
    { method: 'GET', path: '/docs/openapi.json', options: { plugins: { passerelle: { public: true, audit: false } } }, handler: () => doc },
    { method: 'GET', path: '/docs', options: { plugins: { passerelle: { public: true, audit: false } } }, handler: (_r, h) => h.response(html).type('text/html; charset=utf-8') },
  ]);
}
