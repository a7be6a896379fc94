import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

/**
 * Two parts of zod 4 the page carries but never uses, replaced in the page's build only (the
 * server and the tests use the real zod). Together they were ~6 KB of the initial gzipped
 * JavaScript, which issue 12 budgets at 150 KB.
 * - The JSON Schema generator (`to-json-schema.js`, `json-schema-processors.js`), imported by the
 *   classic schemas for `.toJSONSchema()` and `~standard.jsonSchema`: the page only decodes frames.
 *   Stubs keep the same export names (read from the real module, so a zod upgrade that renames
 *   them still builds); calling one throws, loudly.
 * - The English error texts (`locales/en.js`), registered as the default locale: the page never
 *   shows a zod message (decode failures are codes; the texts it shows are its own strings), so
 *   an issue's message falls back to zod's "Invalid input".
 */
const GENERATOR = /[\\/]zod[\\/]v4[\\/]core[\\/](to-json-schema|json-schema-processors)\.js$/;
const ENGLISH = /[\\/]zod[\\/]v4[\\/]locales[\\/]en\.js$/;

function exportNames(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:const|function|class|let)\s+([A-Za-z_$][\w$]*)/g)) names.add(match[1] as string);
  for (const match of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of (match[1] as string).split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
  }
  return [...names];
}

function generatorStub(names: string[]): string {
  const lines = ['const unavailable = () => { throw new Error("zod JSON Schema generation is left out of the page bundle"); };'];
  // `create…Method(schema)` runs when `~standard` is read: it returns the method, which throws when called.
  for (const name of names) lines.push(`export const ${name} = ${name.startsWith("create") ? "() => unavailable" : "unavailable"};`);
  return lines.join("\n");
}

export function zodPageTrim(): Plugin {
  return {
    name: "chatroom:zod-page-trim",
    apply: "build",
    enforce: "pre",
    load(id) {
      const path = id.split("?")[0] as string;
      if (GENERATOR.test(path)) return generatorStub(exportNames(readFileSync(path, "utf8")));
      // A locale with no texts: zod then says "Invalid input".
      if (ENGLISH.test(path)) return "export default function () { return {}; }";
      return null;
    },
  };
}
