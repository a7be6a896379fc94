// A typical Socket.IO chat server: a client joins the room named in its handshake query, gets a
// welcome, and every chat message is broadcast to the whole room, sender included, with
// io.to(room).emit. WebSocket transport only, as the bench's clients use; no store, no acks.
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 8080);
const httpServer = createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });

io.on("connection", (socket) => {
  const room = typeof socket.handshake.query.room === "string" ? socket.handshake.query.room : "lobby";
  const name = typeof socket.handshake.query.name === "string" ? socket.handshake.query.name : socket.id;
  socket.join(room);
  socket.emit("welcome", { room, name });
  socket.on("chat", (text) => {
    if (typeof text !== "string") return;
    io.to(room).emit("chat", { from: name, text, ts: Date.now() });
  });
});

httpServer.listen(port, process.env.HOST ?? "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
