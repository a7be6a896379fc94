// First: it configures zod before any schema below is built.
import "./zod-csp";

export * from "./access";
export * from "./codec";
export * from "./emoji";
export * from "./errors";
export * from "./frames";
export * from "./limits";
export * from "./mentions";
export * from "./moderation";
export * from "./name-scripts";
export * from "./query";
export * from "./roles";
export * from "./search";
export * from "./text";
export * from "./users";
