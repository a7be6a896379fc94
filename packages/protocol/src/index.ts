export * from "./codec";
export * from "./errors";
export * from "./frames";
export * from "./limits";
export * from "./query";
export * from "./text";
