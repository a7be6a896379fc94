import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

/**
 * Five parts of zod 4 the page carries but never uses, replaced in the page's build only (the
 * server and the tests use the real zod). Together they were ~11 KB of the initial gzipped
 * JavaScript, which issue 12 budgets at 150 KB.
 * - The JSON Schema generator (`to-json-schema.js`, `json-schema-processors.js`), imported by the
 *   classic schemas for `.toJSONSchema()` and `~standard.jsonSchema`: the page only decodes frames.
 *   Stubs keep the same export names (read from the real module, so a zod upgrade that renames
 *   them still builds); calling one throws, loudly.
 * - The English error texts (`locales/en.js`), registered as the default locale: the page never
 *   shows a zod message (decode failures are codes; the texts it shows are its own strings), so
 *   an issue's message falls back to zod's "Invalid input".
 * - The memoizer (`core/memoizer.js`, ~1.4 KB gzip), which classic zod installs so that a parse can
 *   follow a reference cycle in its input: the page parses decoded JSON (and its own stored JSON),
 *   which has no cycles, so it runs as zod/mini does by default, with no memoizer. The stub's
 *   `memoizer()` returns none; the build fails if the real module's exports change, so an upgrade
 *   is looked at rather than stubbed blind.
 * - The string-format methods of `z.string()` (`.email()`, `.url()`, `.uuid()`, `.datetime()`, …,
 *   ~3 KB gzip with their schemas and regexes), deprecated in zod 4 for the top-level `z.email()`,
 *   `z.url()`, … (which stay: they are separate exports the bundler drops when unused). Methods
 *   sit on every string schema, so the bundler cannot drop them; the protocol uses none. Each
 *   becomes a stub that throws, so a schema that starts using one fails as the page loads.
 * - The compiling object parser (`$ZodObjectJIT`, which writes a parser per shape with
 *   `new Function`): the page runs zod jitless (`packages/protocol/src/zod-csp.ts`: its CSP has no
 *   'unsafe-eval'), where that parser only hands over to the plain `$ZodObject` one, so page
 *   objects are built on `$ZodObject` directly.
 */
const GENERATOR = /[\\/]zod[\\/]v4[\\/]core[\\/](to-json-schema|json-schema-processors)\.js$/;
const ENGLISH = /[\\/]zod[\\/]v4[\\/]locales[\\/]en\.js$/;
const MEMOIZER = /[\\/]zod[\\/]v4[\\/]core[\\/]memoizer\.js$/;
const CLASSIC_SCHEMAS = /[\\/]zod[\\/]v4[\\/]classic[\\/]schemas\.js$/;

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

/** zod's core reads `globalConfig.memoizer` as optional (`memo?.attach(inst)`), so none means plain parsing. */
const MEMOIZER_STUB: Record<string, string> = {
  memoizer: "export function memoizer() { return undefined; }",
  isBackEdge: "export function isBackEdge() { return false; }",
  // Only z.compile asks, and it treats a throw as "recursive": it refuses, which the page never meets.
  isRecursiveSchema: 'export function isRecursiveSchema() { throw new Error("zod\'s memoizer is left out of the page bundle"); }',
  $ZodCyclicError: "export class $ZodCyclicError extends Error {}",
};

function memoizerStub(names: string[]): string {
  const unknown = names.filter((name) => !(name in MEMOIZER_STUB));
  if (unknown.length > 0) throw new Error(`zod's memoizer.js exports ${unknown.join(", ")} now: update apps/web/zod-page-trim.ts`);
  return Object.values(MEMOIZER_STUB).join("\n");
}

/** Where `ZodString`'s own methods start: after its constructor, in the methods argument. */
const STRING_METHODS_START =
  'export const ZodString = /*@__PURE__*/ core.$constructor("ZodString", (inst, def) => {\n    core.$ZodString.init(inst, def);\n    _ZodString.init(inst, def);\n}, {\n';
/** Each is `name(params) { return this.check(core._format(ZodX, params)); }`, and nothing else is there. */
const FORMAT_METHOD = /^ {4}(\w+)\(params\) \{\n {8}return this\.check\(core\._\w+\(Zod\w+, params\)\);\n {4}\},?$/gm;
const FORMAT_LEFT_OUT =
  'function formatLeftOut(name) { throw new Error("z.string()." + name + "() is left out of the page bundle: use zod 4\'s top-level format (z.email(), z.iso.datetime(), …)"); }\n';

function withoutStringFormatMethods(source: string): string {
  const start = source.indexOf(STRING_METHODS_START);
  const end = start < 0 ? -1 : source.indexOf("\n});", start);
  const methods = end < 0 ? "" : source.slice(start + STRING_METHODS_START.length, end);
  const names = [...methods.matchAll(FORMAT_METHOD)].map((method) => method[1] as string);
  if (names.length === 0 || methods.replace(FORMAT_METHOD, "").trim() !== "") {
    throw new Error("zod's ZodString is not the one apps/web/zod-page-trim.ts knows: update it");
  }
  const stubs = names.map((name) => `    ${name}() { return formatLeftOut("${name}"); },`).join("\n");
  return `${source.slice(0, start)}${FORMAT_LEFT_OUT}${STRING_METHODS_START}${stubs}${source.slice(end)}`;
}

const OBJECT_INIT_JIT = "core.$ZodObjectJIT.init(inst, def);";

function withoutObjectJit(source: string): string {
  if (source.split(OBJECT_INIT_JIT).length !== 2) {
    throw new Error("zod's ZodObject no longer starts from $ZodObjectJIT once: update apps/web/zod-page-trim.ts");
  }
  return source.replace(OBJECT_INIT_JIT, "core.$ZodObject.init(inst, def);");
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
      if (MEMOIZER.test(path)) return memoizerStub(exportNames(readFileSync(path, "utf8")));
      if (CLASSIC_SCHEMAS.test(path)) return withoutObjectJit(withoutStringFormatMethods(readFileSync(path, "utf8")));
      return null;
    },
  };
}
