import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { createChatDeps } from "../chat/deps";
import { ChatHub } from "../chat/hub";
import type { Timers } from "../chat/ports";
import type { AppConfig } from "../config";

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
      ...(options.config.addressSecret === undefined ? {} : { addressSecret: options.config.addressSecret }),
      ...(options.timers ? { timers: options.timers } : {}),
    });
    app.decorate("hub", new ChatHub({ backend: app.backend, deps }));
  },
  { name: "chat", dependencies: ["backend", "metrics"], fastify: "5.x" },
);
