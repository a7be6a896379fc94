/**
 * Migration 7: the search index ([5/6]), kept in step with `chats` (each chat as it stands) by
 * triggers, so an append, an edit or a delete changes what search can find in its own transaction.
 *
 * - `search_docs` maps a chat to its index id, `docid = (ts << 20) + n` (n counts chats of the
 *   same millisecond), so the FTS rowid order is time order: a newest-first query walks an index
 *   backwards from a bound and stops after a page, however many rows match. `author` is the
 *   folded author name, for `from:`.
 * - `search_trigram`: FTS5 trigram over the folded text, for terms of three or more code points.
 * - `search_cjk`: FTS5 unicode61 over the text's Han, Kana and Hangul characters one token each,
 *   for one- and two-character words (`测试`, `测`) queried as a phrase.
 * - `search_backlog`: chats stored but not yet in the two FTS tables. Indexing a chat costs about
 *   four times its append (some 90 µs of CPU, mostly the trigram tokens), so an append only
 *   queues its docid here and search-indexer.ts moves the backlog into the FTS tables while the
 *   store is idle (Zulip's `fts_update_log` works the same way). A search reads the backlog beside
 *   the index (message-search.ts), so an acked chat is found at once all the same. An edit or a
 *   delete of an indexed chat changes the FTS tables in its own transaction; of a queued one, it
 *   changes nothing there (the indexer reads the text as it then stands), and a delete drops it
 *   from the backlog.
 * Both FTS tables are contentless (the text stays in `chats` only) and `secure-delete`, so a deleted
 * or edited text leaves the index pages instead of waiting under a delete marker. The functions are
 * registered by search-functions.ts.
 */
const DOCID_OF_NEW = `(SELECT CASE
    WHEN m IS NULL THEN new.ts << 20
    WHEN m + 1 < ((new.ts + 1) << 20) THEN m + 1
    ELSE (SELECT MAX(docid) + 1 FROM search_docs)
  END FROM (SELECT MAX(docid) AS m FROM search_docs WHERE docid >= (new.ts << 20) AND docid < ((new.ts + 1) << 20)))`;

/**
 * Index `which` (new or old) text of an indexed chat, or remove it from the index ('delete' needs
 * the indexed values). A chat still in the backlog is not in the FTS tables: nothing to change.
 */
function indexStatements(which: "new" | "old", remove: boolean): string {
  const command = (table: string) => (remove ? `(${table}, rowid, body) SELECT 'delete', ` : "(rowid, body) SELECT ");
  const docOf = `FROM search_docs WHERE room = ${which}.room AND seq = ${which}.seq AND ${which}.text IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM search_backlog AS b WHERE b.docid = search_docs.docid)`;
  return `INSERT INTO search_trigram ${command("search_trigram")}docid, chatroom_search_fold(${which}.text) ${docOf};
    INSERT INTO search_cjk ${command("search_cjk")}docid, chatroom_search_cjk(${which}.text) ${docOf}
      AND chatroom_search_cjk(${which}.text) IS NOT NULL;`;
}

export const SEARCH_MIGRATION = `CREATE TABLE search_docs (
    docid INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL
  );
  CREATE UNIQUE INDEX search_docs_chat ON search_docs (room, seq);
  CREATE INDEX search_docs_author ON search_docs (author);
  CREATE TABLE search_backlog (docid INTEGER PRIMARY KEY);
  CREATE VIRTUAL TABLE search_trigram USING fts5(body, content='', columnsize=0, tokenize='trigram case_sensitive 1');
  CREATE VIRTUAL TABLE search_cjk USING fts5(body, content='', columnsize=0, tokenize='unicode61 remove_diacritics 0');
  INSERT INTO search_trigram (search_trigram, rank) VALUES ('secure-delete', 1);
  INSERT INTO search_cjk (search_cjk, rank) VALUES ('secure-delete', 1);

  INSERT INTO search_docs (docid, room, seq, author)
    SELECT (ts << 20) + ROW_NUMBER() OVER (PARTITION BY ts ORDER BY room, seq) - 1, room, seq, chatroom_search_fold(user_name)
    FROM chats WHERE text IS NOT NULL;
  -- Chats from before this migration are indexed like new ones, after start-up, while idle.
  INSERT INTO search_backlog (docid) SELECT docid FROM search_docs;

  CREATE TRIGGER search_chat_added AFTER INSERT ON chats WHEN new.text IS NOT NULL BEGIN
    INSERT INTO search_docs (docid, room, seq, author) VALUES (${DOCID_OF_NEW}, new.room, new.seq, chatroom_search_fold(new.user_name));
    -- Inside a trigger, last_insert_rowid() is the row this trigger just inserted: the docid.
    INSERT INTO search_backlog (docid) VALUES (last_insert_rowid());
  END;
  CREATE TRIGGER search_chat_changed AFTER UPDATE OF text ON chats WHEN old.text IS NOT new.text BEGIN
    ${indexStatements("old", true)}
    ${indexStatements("new", false)}
    DELETE FROM search_backlog WHERE new.text IS NULL
      AND docid = (SELECT docid FROM search_docs WHERE room = old.room AND seq = old.seq);
    DELETE FROM search_docs WHERE room = old.room AND seq = old.seq AND new.text IS NULL;
  END;
  CREATE TRIGGER search_chat_removed AFTER DELETE ON chats WHEN old.text IS NOT NULL BEGIN
    ${indexStatements("old", true)}
    DELETE FROM search_backlog WHERE docid = (SELECT docid FROM search_docs WHERE room = old.room AND seq = old.seq);
    DELETE FROM search_docs WHERE room = old.room AND seq = old.seq;
  END;`;
