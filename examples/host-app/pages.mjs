// The host site's two pages. The chat page talks to Chatroom directly: protocol 2 over one
// WebSocket, the token in `hello` and in `auth` before it runs out (docs/protocol.md).

/** A value for an inline script: JSON, with `<` escaped so it cannot close the script tag. */
const inline = (value) => JSON.stringify(value).replaceAll("<", "\\u003c");

export function loginPage(users) {
  const links = users.map((user) => `<li><a href="/login?user=${user}">Log in as ${user}</a></li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app</title></head><body><h1>Host app</h1><ul>${links}</ul></body></html>`;
}

export function chatPage({ user, chatUrl, nonce }) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app: chat</title></head><body>
<h1>Host app</h1><p id="status">connecting…</p>
<ul id="log" aria-live="polite"></ul>
<form id="send"><input id="text" aria-label="Message" autocomplete="off" maxlength="2000"><button>Send</button></form>
<script nonce="${nonce}">
const USER = ${inline(user)}, WS_URL = ${inline(`${chatUrl.replace(/^http/, "ws")}/ws`)}, ROOM = "lobby";
const $ = (id) => document.getElementById(id);
let socket, session, lastSeq = 0, refreshTimer;

// The host backend signs a token for its logged-in user; it travels in a POST body, never a URL.
async function getToken() {
  const response = await fetch("/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: USER }) });
  if (!response.ok) throw new Error("not logged in");
  return response.json();
}

// A minute before the token runs out, send a fresh one on the open connection.
function refreshBefore(exp) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const fresh = await getToken();
    socket.send(JSON.stringify({ type: "auth", token: fresh.token }));
    refreshBefore(fresh.exp);
  }, Math.max(1000, exp * 1000 - Date.now() - 60000));
}

function show(chat) {
  if (chat.type !== "chat" || chat.seq <= lastSeq) return;
  lastSeq = chat.seq;
  const item = document.createElement("li");
  item.className = "message";
  const from = document.createElement("b");
  from.textContent = chat.from.name;
  item.append(from, ": ", chat.deleted ? "(deleted)" : chat.text);
  $("log").append(item);
}

async function connect() {
  const { token, exp } = await getToken();
  socket = new WebSocket(WS_URL);
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "hello", protocol: 2, token, ...(session ? { session } : {}) }));
    socket.send(JSON.stringify({ type: "join", room: ROOM, ...(lastSeq ? { since: lastSeq } : {}) }));
    refreshBefore(exp);
  };
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "ready") {
      session = frame.session;
      $("status").textContent = "Signed in as " + frame.you.name;
    } else if (frame.type === "joined") frame.messages.forEach(show);
    else if (frame.type === "chat") show(frame);
    else if (frame.type === "error") $("status").textContent = "Error: " + frame.message;
  };
  // 4401: the token ran out or was refused; reconnecting fetches a fresh one. 4501/4505: give up.
  socket.onclose = (event) => {
    clearTimeout(refreshTimer);
    if (event.code !== 4501 && event.code !== 4505) setTimeout(connect, 1000);
  };
}

$("send").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || socket?.readyState !== WebSocket.OPEN) return;
  const clientMsgId = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  socket.send(JSON.stringify({ type: "chat", room: ROOM, text, clientMsgId }));
  $("text").value = "";
});
connect();
</script></body></html>`;
}
