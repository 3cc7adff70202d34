// The customer chat page's script (web/chat/: index.html, chat.css, this), served by switchboardd
// at /chat, /chat/chat.css and /chat/chat.js (files, not inline, so that the page's
// Content-Security-Policy allows no inline script at all; docs/security.md, "Browser"). No build
// step, no framework: a labelled form to start, a transcript that is an aria-live log, a labelled
// message box with a send button, status lines for queue position, agent typing and the end of
// the chat. Works by keyboard (Enter sends, Shift+Enter is a new line) and with a screen reader.
// Speaks docs/chat-protocol.md over /chat/ws; the resume token is kept in sessionStorage so a
// reload or a dropped connection continues the same chat, and forgotten when the server says it
// has expired (token_expired: a new chat starts from the form). Embedded into switchboardd at
// build time (server/channels/embed_chat_page.cmake).
(() => {
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

  // The server may close a WebSocket after 60 s of silence (chat-protocol.md); a customer
  // waiting in a queue, or reading, says nothing for longer. A ping every 25 s keeps the chat open
  // (without it, the page lost its connection and resumed once a minute).
  const keepAliveMs = 25000;
  let keepAlive = null;

  function connect() {
    ws = new WebSocket(wsUrl);
    ws.onopen = () => {
      retry = 500;
      if (token) send({ type: 'resume', token });
      else if (startRequest) send(startRequest);
      clearInterval(keepAlive);
      keepAlive = setInterval(() => send({ type: 'ping' }), keepAliveMs);
    };
    ws.onmessage = (e) => handle(JSON.parse(e.data));
    ws.onclose = () => {
      clearInterval(keepAlive); keepAlive = null;
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
