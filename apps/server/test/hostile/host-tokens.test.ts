// AUTH=jwt, hostile: tokens a host app never signed, or signed for something else, presented in
// `hello` over a real socket. Each gets its error code and close 4401 without a `ready`, and a
// bystander signed in with a good token stays connected and keeps chatting, its log whole.
import { randomBytes } from "node:crypto";
import { CLOSE_CODES } from "@chatroom/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hsServerEnv, rsaHostApp, signToken, unsignedToken } from "../support/host-tokens";
import { type StartedServer, startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { type Bystander, expectBystanderUnharmed, joinBystander } from "./support/bystander";

const cleanup = useCleanup();
const encode = (text: string) => new TextEncoder().encode(text);
const ago = (seconds: number) => Math.floor(Date.now() / 1000) - seconds;

type Case = [label: string, make: () => Promise<string>, code: "token_invalid" | "token_expired"];

/** Sends `hello` with `token` (or none) and returns what came back before the close. */
async function helloWith(server: StartedServer, token: string | undefined) {
  const client = cleanup.track(await TestClient.connect(server.wsUrl));
  client.send({ type: "hello", protocol: 2, name: "mallory", ...(token === undefined ? {} : { token }) });
  const closed = await client.waitForClose();
  return { closed, frames: client.frames, invalid: client.invalid };
}

/** A host app's server setup: its env, how it signs a good token, and the bad tokens it must refuse. */
interface Setup {
  env: Record<string, string>;
  sign: (claims: { sub: string; name?: string }) => Promise<string>;
  cases: Case[];
}

function hsSetup(): Setup {
  return {
    env: hsServerEnv(),
    sign: (claims) => signToken(claims),
    cases: [
      [
        "forged (signed with another secret)",
        () => signToken({ sub: "alice", name: "alice" }, { key: encode("x".repeat(40)) }),
        "token_invalid",
      ],
      ["expired", () => signToken({ sub: "alice" }, { iat: ago(1200), lifetimeS: 600 }), "token_expired"],
      ["for another audience", () => signToken({ sub: "alice" }, { aud: "another-service" }), "token_invalid"],
      ["from another issuer", () => signToken({ sub: "alice" }, { iss: "https://evil.example" }), "token_invalid"],
      ["unsigned (alg: none)", async () => unsignedToken("alice"), "token_invalid"],
    ],
  };
}

function rsaSetup(): Setup {
  const host = rsaHostApp();
  const other = rsaHostApp();
  return {
    env: host.env,
    sign: (claims) => signToken(claims, { alg: "RS256", key: host.privateKey }),
    cases: [
      ["forged (signed with another RSA key)", () => signToken({ sub: "alice" }, { alg: "RS256", key: other.privateKey }), "token_invalid"],
      ["expired", () => signToken({ sub: "alice" }, { alg: "RS256", key: host.privateKey, iat: ago(1200) }), "token_expired"],
      [
        "for another audience",
        () => signToken({ sub: "alice" }, { alg: "RS256", key: host.privateKey, aud: "another-service" }),
        "token_invalid",
      ],
      ["unsigned (alg: none)", async () => unsignedToken("alice"), "token_invalid"],
      // The classic confusion: HS256 keyed with the server's own public key, which is no secret.
      [
        "HS256 keyed with the server's public key (key confusion)",
        () => signToken({ sub: "admin" }, { alg: "HS256", key: encode(host.publicPem) }),
        "token_invalid",
      ],
    ],
  };
}

describe.each([
  { kind: "an HS256 secret", setup: hsSetup },
  { kind: "an RSA public key", setup: rsaSetup },
])("hello on an AUTH=jwt server with $kind", ({ setup }) => {
  const { env, sign, cases } = setup();
  let server: StartedServer;
  let bystander: Bystander;
  const room = `tokens-${randomBytes(3).toString("hex")}`;

  beforeAll(async () => {
    server = await startServer(env);
    bystander = await joinBystander(server.wsUrl, room, { token: await sign({ sub: "bystander-1", name: "bystander" }) });
  });
  afterAll(async () => {
    await bystander?.close();
    await server?.close();
  });

  it.each(cases)("a token %s gets its error and close 4401; the bystander is unharmed", async (_label, make, code) => {
    const { closed, frames, invalid } = await helloWith(server, await make());
    expect(closed.code).toBe(CLOSE_CODES.tokenExpired.code);
    expect(frames).toEqual([{ type: "error", code, message: expect.any(String) }]);
    expect(invalid).toEqual([]);
    await expectBystanderUnharmed(bystander);
  });

  it("a hello without a token gets token_invalid and 4401; the bystander is unharmed", async () => {
    const { closed, frames } = await helloWith(server, undefined);
    expect(closed.code).toBe(CLOSE_CODES.tokenExpired.code);
    expect(frames).toEqual([{ type: "error", code: "token_invalid", message: expect.any(String) }]);
    await expectBystanderUnharmed(bystander);
  });

  it("a good token signs in as its sub, under its name", async () => {
    expect(bystander.ready.you).toEqual({ id: "bystander-1", name: "bystander" });
    expect(bystander.joined.you).toEqual({ id: "bystander-1", name: "bystander" });
  });
});
