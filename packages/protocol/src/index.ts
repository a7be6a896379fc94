// First: it configures zod before any schema below is built.
import "./zod-csp";

export * from "./codec";
export * from "./emoji";
export * from "./errors";
export * from "./frames";
export * from "./limits";
export * from "./name-scripts";
export * from "./query";
export * from "./text";
