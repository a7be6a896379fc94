import type { Backend } from "../../src/backend/backend";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { describeBackendContract } from "./backend-contract";

describeBackendContract(
  "sqlite",
  async ({ now }) => {
    const dir = tempDir("chatroom-sqlite-");
    const open = () => SqliteBackend.open({ nodeId: "node-sqlite", dataDir: dir.path, now });
    let backend: Backend = open();
    return {
      backend,
      restart: async () => {
        await backend.close();
        backend = open();
        return backend;
      },
      cleanup: async () => {
        await backend.close();
        dir.remove();
      },
    };
  },
  { persistent: true },
);
