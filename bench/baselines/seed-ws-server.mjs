// The seed demo's server (docs: /work/shared/seed-demo.md), rewritten faithfully for the benchmark:
// a welcome on connect, then every message broadcast to every open client, sender included, as
// "<name> -> <message>". Only the port comes from the environment. Its console.log calls stay,
// as in the original; the bench points stdout at /dev/null.
import { WebSocket, WebSocketServer } from "ws";

const port = Number(process.env.PORT ?? 8080);
const server = new WebSocketServer({ port, host: process.env.HOST ?? "127.0.0.1" });

server.on("listening", () => {
  console.log("listening on %d", port);
});

server.on("close", () => {
  console.log("disconnected");
});

server.on("connection", (ws, req) => {
  const ip = req.socket.remoteAddress;
  const clientPort = req.socket.remotePort;
  const clientName = `${ip}${clientPort}`;
  console.log("%s is connected", clientName);
  ws.send(`Welcome ${clientName}`);
  ws.on("message", (message) => {
    console.log("received: %s from %s", message, clientName);
    for (const client of server.clients) {
      if (client.readyState === WebSocket.OPEN) {
        client.send(`${clientName} -> ${message}`);
      }
    }
  });
});

process.on("SIGTERM", () => process.exit(0));
