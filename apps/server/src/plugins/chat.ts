import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { storedOrMade } from "../backend/setting-store";
import { createChatDeps } from "../chat/deps";
import { ChatHub } from "../chat/hub";
import type { Timers } from "../chat/ports";
import type { AppConfig } from "../config";
import { createJwtVerifier } from "../security/jwt-verifier";
import { newSecret } from "../security/secrets";

declare module "fastify" {
  interface FastifyInstance {
    hub: ChatHub;
  }
}

export interface ChatPluginOptions {
  config: AppConfig;
  timers?: Timers;
}

/** Builds the chat dependencies once (metrics come from the metrics plugin) and the hub over them. */
export default fp(
  async function chatPlugin(app: FastifyInstance, options: ChatPluginOptions) {
    const deps = createChatDeps({
      limits: options.config.limits,
      logger: app.log,
      metrics: app.chatMetrics,
      addressSecret: options.config.addressSecret ?? (await storedOrMade(app.backend.addressSecret, newSecret)),
      ...(options.timers ? { timers: options.timers } : {}),
    });
    const { auth } = options.config;
    // The verifier reads the chat clock, so tests that hold time hold token expiry with it.
    const tokens =
      auth.mode === "jwt"
        ? { verifier: createJwtVerifier(auth, { now: () => deps.timers.now() }), expiryGraceMs: auth.expiryGraceS * 1000 }
        : undefined;
    app.decorate(
      "hub",
      new ChatHub({
        backend: app.backend,
        deps,
        // Only where another writer may commit what this node has not heard of.
        ...(app.backend.sharedLog ? { seqCheckMs: options.config.clusterSeqCheckMs } : {}),
        ...(tokens ? { tokens } : {}),
      }),
    );
  },
  { name: "chat", dependencies: ["backend", "metrics"], fastify: "5.x" },
);
