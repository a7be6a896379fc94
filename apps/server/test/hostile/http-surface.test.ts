import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { testConfig } from "../../src/config";
import { startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { expectBystanderUnharmed, joinBystander } from "./support/bystander";

const cleanup = useCleanup();
/** The app on a random port, closed after the test. */
const serve = async (env: Record<string, string> = {}) => cleanup.track(await startServer(env));

describe("HTTP surface", () => {
  it("every response carries a strict CSP that allows only the page's own origin and ws/wss", async () => {
    const server = await serve();
    for (const path of ["/", "/healthz", "/api/rooms", "/no-such-file.js"]) {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      const directives = new Map(csp.split(";").map((d) => [d.trim().split(" ")[0], d.trim().split(" ").slice(1)]));
      expect(directives.get("default-src")).toEqual(["'self'"]);
      expect(directives.get("script-src")).toEqual(["'self'"]);
      expect(directives.get("style-src")).toEqual(["'self'"]);
      expect(directives.get("object-src")).toEqual(["'none'"]);
      expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
      expect(directives.get("connect-src")).toEqual(["'self'", `ws://127.0.0.1:${server.port}`, `wss://127.0.0.1:${server.port}`]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests|\*/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      // Not production: no HSTS, so plain-http localhost keeps working.
      expect(response.headers.get("strict-transport-security")).toBeNull();
      await response.body?.cancel();
    }
  });

  it("a Host header that could inject CSP directives is not echoed", async () => {
    const server = await serve();
    const { request } = await import("node:http");
    const csp = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: server.port, path: "/healthz", headers: { host: "evil.example; script-src *" } },
        (res) => {
          res.resume();
          resolve(String(res.headers["content-security-policy"] ?? ""));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("evil");
  });

  it("production sends HSTS", async () => {
    const server = await serve({ NODE_ENV: "production", LOG_LEVEL: "silent" });
    const response = await fetch(`${server.url}/healthz`);
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
  });

  it("a 5xx never carries a stack trace or the exception's text", async () => {
    const app = await buildApp(testConfig());
    app.get("/explode", async () => {
      throw new Error("secret connection string postgres://admin:hunter2@db");
    });
    app.get("/explode-sync", () => {
      const value = undefined as unknown as { deref(): void };
      value.deref();
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      for (const path of ["/explode", "/explode-sync"]) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(response.status).toBe(500);
        const body = await response.text();
        expect(JSON.parse(body)).toEqual({ error: "internal server error" });
        expect(body).not.toMatch(/hunter2|deref|TypeError|at .*\.ts/);
      }
      // A client's own mistake keeps a useful 4xx message.
      const bad = await fetch(`http://127.0.0.1:${port}/api/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{",
      });
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
    } finally {
      await app.close();
    }
  });

  it("/metrics exposes the chat series in Prometheus format, counted per app", async () => {
    const server = await serve();
    const bystander = await joinBystander(server.wsUrl, "metrics");
    const sender = await TestClient.join(server.wsUrl, { room: "metrics" });
    sender.chat("metrics", "one", "m1");
    sender.sendRaw("not json");
    await sender.waitFor((f) => f.type === "error");
    await expectBystanderUnharmed(bystander);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    const value = (series: string) =>
      Number(
        body
          .split("\n")
          .find((line) => line.startsWith(`${series} `))
          ?.split(" ")[1] ?? Number.NaN,
      );
    expect(value("chat_connections")).toBe(2);
    expect(value('chat_frames_in_total{type="chat"}')).toBe(2);
    expect(value('chat_frames_in_total{type="hello"}')).toBe(2);
    expect(value('chat_frames_in_total{type="join"}')).toBe(2);
    expect(value('chat_bad_frames_total{reason="not_json"}')).toBe(1);
    // Two chats, each fanned out to two members, plus each sender's own echo: 4 chat frames out.
    expect(value('chat_frames_out_total{type="chat"}')).toBe(4);
    expect(value('chat_frames_out_total{type="ack"}')).toBe(2);
    expect(value("chat_bytes_in_total")).toBeGreaterThan(0);
    expect(value("chat_bytes_out_total")).toBeGreaterThan(0);
    expect(value('chat_store_write_seconds_count{result="ok"}')).toBe(2);
    expect(value("chat_fanout_seconds_count")).toBe(2);
    for (const name of ["chat_rate_limited_total", "chat_slow_consumer_drops_total", "process_resident_memory_bytes"]) {
      expect(body).toContain(`# TYPE ${name} `);
    }
    await sender.close();
    await bystander.close();
  });

  it("METRICS_TOKEN keeps /metrics to the scraper that presents it", async () => {
    const token = "scrape-token-0123456789";
    const server = await serve({ METRICS_TOKEN: token });
    const scrape = (authorization?: string) => fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Bearer ${token}x`, token, `Basic ${token}`]) {
      const refused = await scrape(authorization);
      expect(refused.status, String(authorization)).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await refused.text()).not.toContain("chat_connections");
    }
    const allowed = await scrape(`Bearer ${token}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("# TYPE chat_connections gauge");
  });

  it("METRICS=false serves no /metrics", async () => {
    const server = await serve({ METRICS: "false" });
    // Unknown paths fall through to the page (or 404 when it is not built): never the series.
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get("content-type")).not.toMatch(/version=0\.0\.4/);
    expect(await response.text()).not.toContain("chat_connections");
  });
});
