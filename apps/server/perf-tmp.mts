import { mkdirSync, rmSync, statSync } from "node:fs";
import { parseSearchQuery } from "@chatroom/protocol";
import { SqliteBackend } from "./src/backend/sqlite/sqlite-backend";

const N = Number(process.env.N ?? 200_000);
const dir = "/tmp/h5s/perf-db";
const reuse = process.env.REUSE === "1";
if (!reuse) { rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true }); }
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const EN = "the a to and of is in it you that was for on are with as I his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father deploy release".split(" ");
const ZH = "我们 你们 今天 明天 测试 环境 准备 好了 功能 通过 问题 已经 发布 版本 服务器 数据库 用户 消息 搜索 中文 系统 配置 修复 代码 提交 会议 时间 下午 上午 可以 没有 什么 这个 那个 因为 所以 但是 如果 需要".split(" ");
const zipf = (n: number) => Math.min(n - 1, Math.floor(n ** rand()) - 1 < 0 ? 0 : Math.floor(n ** rand()) - 1);
function text(): string {
  const words: string[] = [];
  const len = 3 + Math.floor(rand() * 25);
  const chinese = rand() < 0.4;
  for (let i = 0; i < len; i++) {
    if (chinese) words.push(ZH[zipf(ZH.length)] as string);
    else words.push(EN[zipf(EN.length)] as string);
  }
  if (rand() < 0.0005) words.push("xylophone");
  return words.join(chinese ? "" : " ");
}
let now = Date.UTC(2025, 0, 1);
const backend = SqliteBackend.open({ nodeId: "perf", dataDir: dir, now: () => now, synchronous: "NORMAL" });
if (!reuse) {
  const started = performance.now();
  const batch = 2000;
  for (let i = 0; i < N; i += batch) {
    const pending = [];
    for (let j = i; j < Math.min(N, i + batch); j++) {
      now += Math.floor(rand() * 2000);
      const user = zipf(500);
      pending.push(backend.messages.append({ room: "lobby", actor: { id: `u_${user}`, name: `user${user}` }, clientMsgId: `m-${j}`, kind: "chat", text: text() }));
    }
    await Promise.all(pending);
  }
  console.log(`built ${N} chats in ${((performance.now() - started) / 1000).toFixed(1)} s; file ${(statSync(`${dir}/chat.db`).size / 1e6).toFixed(1)} MB + wal ${(statSync(`${dir}/chat.db-wal`).size / 1e6).toFixed(1)} MB`);
}
const kinds: Record<string, string> = {
  "common English word": "the",
  "common English phrase": "the time",
  "rare word": "xylophone",
  "3-char Chinese phrase": "服务器",
  "2-char Chinese word": "测试",
  "1-char Chinese": "测",
  "from: filter": "from:user3",
  "from: + word": "from:user3 world",
  "rare 2-letter latin (scan path)": "zq",
};
for (const [kind, raw] of Object.entries(kinds)) {
  const parse = parseSearchQuery(raw);
  if (!parse.ok) throw new Error(parse.reason);
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    const page = await backend.search.search({ query: parse.query, rooms: ["lobby"], limit: 20 });
    times.push(performance.now() - t);
    hits = page.hits.length;
  }
  times.sort((a, b) => a - b);
  console.log(`${kind.padEnd(32)} ${JSON.stringify(raw).padEnd(22)} hits ${String(hits).padStart(2)}  p50 ${times[49]?.toFixed(2)} ms  p95 ${times[94]?.toFixed(2)} ms`);
}
await backend.close();
