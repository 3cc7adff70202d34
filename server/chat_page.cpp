// chat_page.cpp: the customer chat page served at /chat, with its style at /chat/chat.css and its
// script at /chat/chat.js (files, not inline, so that the page's Content-Security-Policy allows
// no inline script at all; docs/security.md, "Browser"). No build step, no framework: a labelled
// form to start, a transcript that is an aria-live log, a labelled message box with a send
// button, status lines for queue position, agent typing and the end of the chat. Works by keyboard (Enter sends, Shift+Enter is a new line) and with a
// screen reader. Speaks docs/chat-protocol.md over /chat/ws; the resume token is kept in
// sessionStorage so a reload or a dropped connection continues the same chat, and forgotten when
// the server says it has expired (token_expired: a new chat starts from the form).
#include "http_api.h"

namespace sbd {

const std::string& chat_page_html() {
    static const std::string page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat with us</title>
<link rel="stylesheet" href="/chat/chat.css">
</head>
<body>
<main>
  <h1>Chat with us</h1>
  <form id="start" aria-describedby="start-help">
    <p id="notice" role="alert" hidden></p>
    <p id="start-help">Tell us your name and we will connect you with an agent.</p>
    <label for="name">Your name</label>
    <input id="name" name="name" autocomplete="name" required maxlength="100">
    <label for="email">Email (optional, so we can find your account)</label>
    <input id="email" name="email" type="email" autocomplete="email" maxlength="254">
    <button type="submit">Start chat</button>
  </form>
  <section id="chat" hidden aria-labelledby="chat-title">
    <h2 id="chat-title" class="visually-hidden">Conversation</h2>
    <p id="status" role="status" aria-live="polite"></p>
    <ol id="log" role="log" aria-live="polite" aria-label="Messages" tabindex="0"></ol>
    <p id="typing" aria-live="polite"></p>
    <form id="compose">
      <label for="text">Message</label>
      <textarea id="text" rows="3" maxlength="4000" aria-describedby="compose-help"></textarea>
      <p id="compose-help" class="meta">Enter sends; Shift+Enter starts a new line.</p>
      <button type="submit" id="send">Send</button>
      <button type="button" id="end" class="secondary">End chat</button>
    </form>
    <button type="button" id="again" hidden>Start a new chat</button>
  </section>
</main>
<script src="/chat/chat.js"></script>
</body>
</html>
)html";
    return page;
}

const std::string& chat_page_css() {
    static const std::string css = R"css(:root { color-scheme: light dark; --accent: #1f5fbf; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: flex; justify-content: center; }
main { width: min(40rem, 100%); padding: 1rem; box-sizing: border-box; }
h1 { font-size: 1.4rem; margin: .5rem 0 1rem; }
label { display: block; font-weight: 600; margin-top: .75rem; }
input, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #888; border-radius: 4px; }
button { font: inherit; margin-top: .75rem; padding: .5rem 1.2rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #666; }
button:disabled { opacity: .5; cursor: default; }
:focus-visible { outline: 3px solid #f0a020; outline-offset: 2px; }
#log { list-style: none; padding: 0; margin: 0; border: 1px solid #888; border-radius: 4px; height: 22rem; overflow-y: auto; }
#log li { margin: .5rem; padding: .4rem .6rem; border-radius: 6px; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
#log li.customer { margin-left: auto; background: rgba(31, 95, 191, .15); }
#log li.agent { background: rgba(128, 128, 128, .18); }
#log li.system { font-style: italic; max-width: none; text-align: center; }
.meta { display: block; font-size: .8rem; opacity: .75; }
#status, #typing { min-height: 1.5rem; margin: .5rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
[hidden] { display: none !important; }
#notice { font-weight: 600; }
)css";
    return css;
}

const std::string& chat_page_js() {
    static const std::string js = R"js((() => {
  const $ = (id) => document.getElementById(id);
  const wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat/ws';
  let ws = null, token = sessionStorage.getItem('sb-chat-token'), ended = false, retry = 500;
  let pending = JSON.parse(sessionStorage.getItem('sb-chat-pending') || '[]');  // unacknowledged
  let typingSent = false, typingTimer = null, startRequest = null;
  const shown = new Map();  // message id or client id -> li

  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  function status(text) { $('status').textContent = text; }
  function savePending() { sessionStorage.setItem('sb-chat-pending', JSON.stringify(pending)); }

  function show(m, state) {
    const key = m.client_id || m.id;
    let li = shown.get(key) || (m.id && shown.get(m.id));
    if (!li) {
      li = document.createElement('li');
      $('log').appendChild(li);
    }
    li.className = m.from;
    const who = m.from === 'customer' ? 'You' : m.from === 'agent' ? (m.agent || 'Agent') : '';
    li.textContent = '';
    if (who) { const s = document.createElement('span'); s.className = 'meta'; s.textContent = who + (m.at ? ', ' + time(m.at) : ''); li.appendChild(s); }
    li.appendChild(document.createTextNode(m.text));
    if (m.from === 'customer') {
      const s = document.createElement('span'); s.className = 'meta';
      s.textContent = state === 'sending' ? 'Sending…' : 'Delivered';
      li.appendChild(s);
    }
    shown.set(key, li); if (m.id) shown.set(m.id, li);
    $('log').scrollTop = $('log').scrollHeight;
  }

  function send(frame) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame)); }

  function connect() {
    ws = new WebSocket(wsUrl);
    ws.onopen = () => {
      retry = 500;
      if (token) send({ type: 'resume', token });
      else if (startRequest) send(startRequest);
    };
    ws.onmessage = (e) => handle(JSON.parse(e.data));
    ws.onclose = () => {
      if (ended) return;
      status('Connection lost. Reconnecting…');
      setTimeout(connect, retry); retry = Math.min(retry * 2, 8000);
    };
  }

  function handle(f) {
    switch (f.type) {
      case 'started': case 'resumed':
        if (f.token) { token = f.token; sessionStorage.setItem('sb-chat-token', token); }
        $('start').hidden = true; $('chat').hidden = false;
        for (const m of f.messages) { show(m); if (m.from !== 'customer') send({ type: 'received', message: m.id }); }
        pending = pending.filter((p) => !f.messages.some((m) => m.client_id === p.client_id));
        if (f.state === 'ended') return finish(f.ended_by || 'agent');
        for (const p of pending) { show({ ...p, from: 'customer' }, 'sending'); send({ type: 'message', ...p }); }
        if (f.state === 'waiting') waiting(f.position, f.estimated_wait_seconds);
        else status('You are chatting with ' + (f.agent || 'an agent') + '.');
        if (f.type === 'started') $('text').focus();
        break;
      case 'queued': waiting(f.position, f.estimated_wait_seconds); break;
      case 'agent_joined': status(f.agent + ' joined the chat.'); break;
      case 'message':
        show(f.message);
        if (f.message.from !== 'customer') { send({ type: 'received', message: f.message.id }); $('typing').textContent = ''; }
        break;
      case 'ack':
        pending = pending.filter((p) => p.client_id !== f.client_id); savePending();
        show(f.message, 'delivered'); break;
      case 'typing': $('typing').textContent = f.typing ? 'The agent is typing…' : ''; break;
      case 'ended': finish(f.by); break;
      case 'error':
        if (f.code === 'invalid_token') { forget(); location.reload(); return; }
        if (f.code === 'token_expired') { forget(); restart(f.message); return; }
        // Sent faster than the chat takes messages: the same message again, when it may be.
        if (f.code === 'rate_limited' && f.client_id) {
          const p = pending.find((q) => q.client_id === f.client_id);
          if (p) { setTimeout(() => send({ type: 'message', ...p }), Math.min(60000, f.retry_after_ms || 1000)); break; }
        }
        if (f.client_id) { pending = pending.filter((p) => p.client_id !== f.client_id); savePending(); const li = shown.get(f.client_id); if (li) li.lastChild.textContent = 'Not sent: ' + f.message; }
        else status(f.message);
        break;
    }
  }

  // The chat's token no longer works: a new chat starts from the form.
  function forget() {
    sessionStorage.removeItem('sb-chat-token'); sessionStorage.removeItem('sb-chat-pending');
    token = null; pending = [];
  }
  function restart(why) {
    $('chat').hidden = true; $('start').hidden = false;
    $('log').textContent = ''; shown.clear();
    $('notice').textContent = why; $('notice').hidden = false;
    $('name').focus();
  }

  function waiting(position, wait) {
    const mins = Math.max(1, Math.round((wait || 0) / 60));
    status(position === 1 ? `You are next in line. Estimated wait: about ${mins} minute${mins > 1 ? 's' : ''}.`
                          : `You are number ${position} in line. Estimated wait: about ${mins} minutes.`);
  }

  function finish(by) {
    ended = true;
    status(by === 'customer' ? 'You ended the chat.'
      : by === 'system' ? 'Nobody could answer in time. Please start a new chat later.'
      : 'The chat has ended. Thank you for contacting us.');
    $('typing').textContent = '';
    $('compose').hidden = true; $('again').hidden = false;
    sessionStorage.removeItem('sb-chat-token'); sessionStorage.removeItem('sb-chat-pending');
    $('again').focus();
    if (ws) ws.close();
  }

  $('start').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('name').value.trim(); if (!name) { $('name').focus(); return; }
    startRequest = { type: 'start', name };
    const email = $('email').value.trim(); if (email) startRequest.email = email;
    status('Connecting…');
    if (ws && ws.readyState === 1) send(startRequest); else connect();
  });
  $('compose').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value; if (!text.trim()) return;
    const m = { client_id: 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8), text };
    pending.push(m); savePending();
    show({ ...m, from: 'customer' }, 'sending');
    send({ type: 'message', ...m });
    if (typingSent) { send({ type: 'typing', typing: false }); typingSent = false; }
    $('text').value = ''; $('text').focus();
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('compose').requestSubmit(); }
  });
  $('text').addEventListener('input', () => {
    if (!typingSent) { send({ type: 'typing', typing: true }); typingSent = true; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { send({ type: 'typing', typing: false }); typingSent = false; }, 3000);
  });
  $('end').addEventListener('click', () => send({ type: 'end' }));
  $('again').addEventListener('click', () => location.reload());

  if (token) { $('start').hidden = true; $('chat').hidden = false; status('Reconnecting to your chat…'); connect(); }
  else $('name').focus();
})();
)js";
    return js;
}

}  // namespace sbd
