import { config } from "zod";

// Zod compiles object parsers with `new Function` after probing whether eval is allowed. Under the
// page's CSP (`script-src 'self'`, no 'unsafe-eval') the probe fails safely but is still reported as
// a CSP violation, so browsers use the interpreted parsers, which are plenty fast for one tab.
// It must run before any schema is built, hence first in index.ts. Servers keep the JIT.
if ("document" in globalThis) config({ jitless: true });
