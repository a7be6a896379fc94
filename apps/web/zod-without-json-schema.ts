import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

/**
 * zod 4's classic schemas import its JSON Schema generator (`to-json-schema.js`,
 * `json-schema-processors.js`) for `.toJSONSchema()` and `~standard.jsonSchema`. The page only
 * decodes frames and never asks for a JSON Schema, yet those two modules were ~5 KB of its
 * initial gzipped JavaScript (issue 12 budgets the whole page at 150 KB). In the page's bundle
 * they are replaced by stubs with the same export names (read from the real module, so a zod
 * upgrade that renames them still builds): calling one throws, loudly. The server and tests
 * use the real zod; only this build is affected.
 */
const GENERATOR = /[\\/]zod[\\/]v4[\\/]core[\\/](to-json-schema|json-schema-processors)\.js$/;

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

function stub(names: string[]): string {
  const lines = ['const unavailable = () => { throw new Error("zod JSON Schema generation is left out of the page bundle"); };'];
  // `create…Method(schema)` runs when `~standard` is read: it returns the method, which throws when called.
  for (const name of names) lines.push(`export const ${name} = ${name.startsWith("create") ? "() => unavailable" : "unavailable"};`);
  return lines.join("\n");
}

export function zodWithoutJsonSchema(): Plugin {
  return {
    name: "chatroom:zod-without-json-schema",
    apply: "build",
    enforce: "pre",
    load(id) {
      const path = id.split("?")[0] as string;
      if (!GENERATOR.test(path)) return null;
      return stub(exportNames(readFileSync(path, "utf8")));
    },
  };
}
