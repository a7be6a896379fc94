import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ChatHub } from "../chat/hub";
import { realTimers, type Timers } from "../chat/peer";
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

export default fp(
  async function chatPlugin(app: FastifyInstance, options: ChatPluginOptions) {
    const hub = new ChatHub({
      backend: app.backend,
      limits: options.config.limits,
      timers: options.timers ?? realTimers,
      logger: app.log,
    });
    app.decorate("hub", hub);
  },
  { name: "chat", dependencies: ["backend"], fastify: "5.x" },
);
