/** The only link schemes a message may carry: the web and e-mail. Everything else (javascript:, data:, vbscript:, file:, relative paths) is not a link. */
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/**
 * `target` as an absolute URL if its scheme is http, https or mailto, else null. Parsed by the
 * browser's own URL parser, so tricks that hide a scheme from a regex (leading blanks, tabs or
 * newlines inside "java\nscript:", entity-like spellings) are judged as the browser would follow them.
 */
export function safeHref(target: string): string | null {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}
