import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteBackend } from "./apps/server/src/backend/sqlite/sqlite-backend";
import { Database } from "./bench/src/sqlite-driver";
import { SearchCorpus, CORPUS_DEFAULTS } from "./bench/src/search-corpus";
const n = Number(process.argv[2]);
const withFts = process.argv[3] === "fts";
const dir = mkdtempSync(join(tmpdir(), "h5b-exp-"));
SqliteBackend.open({ nodeId: "x", dataDir: dir }).close();
if (withFts) {
  const db = new Database(join(dir, "chat.db"));
  db.exec(`CREATE VIRTUAL TABLE chats_fts USING fts5(text, content='', contentless_delete=1, tokenize='trigram');
  INSERT INTO chats_fts (chats_fts, rank) VALUES ('secure-delete', 1);
  CREATE TABLE chat_rowids (room TEXT, seq INTEGER, PRIMARY KEY (room, seq)) ;
  CREATE TRIGGER chats_ai AFTER INSERT ON chats WHEN new.text IS NOT NULL BEGIN
    INSERT INTO chat_rowids (room, seq) VALUES (new.room, new.seq);
    INSERT INTO chats_fts (rowid, text) VALUES (last_insert_rowid(), lower(new.text));
  END;`);
  db.close();
}
const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed: 1, messages: n, authors: 2000 });
const backend = SqliteBackend.open({ nodeId: "x", dataDir: dir });
const cpu0 = process.cpuUsage(); const t0 = performance.now();
let i = 0; const it = corpus.messages();
for (;;) { const p = []; for (let x = it.next(); !x.done; x = it.next()) { p.push(backend.messages.append({ kind: "chat", room: "r", actor: x.value.author, clientMsgId: `b${i++}`, text: x.value.text })); if (p.length >= Number(process.env.B ?? 10000)) break; } if (!p.length) break; await Promise.all(p); }
await backend.close();
const c = process.cpuUsage(cpu0);
console.log({ n, withFts, wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 });
