// desk/transcript.cpp: each contact's transcript on the desk (protocol version 2). Contact
// objects carry only `message_count`; the desk fetches what it lacks with get_messages, a page
// of at most 200 messages at a time, when a contact first appears, after a resume and when a
// message arrives past a gap; after that contact.message appends one message at a time. Every
// message is merged by its id, so that a message seen twice (a replayed event, a page that
// overlaps an event) is held once, and one seen again with another status is updated in place.
#include <algorithm>

#include "desk/desk.h"
#include "protocol/frames.h"
#include "protocol/schema.h"

namespace sb::desk {

using nlohmann::json;
using contact::Contact;
using contact::Message;

namespace {

bool pending(const Message& m) { return !m.client_id.empty(); }

// How many of the transcript's messages the desk holds without a gap: seqs 1..n. The backend
// numbers each contact's messages 1, 2, 3... (docs/protocol.md); held ones are in seq order.
int64_t held_prefix(const Contact& c) {
    int64_t n = 0;
    for (const Message& m : c.messages) {
        if (pending(m) || m.seq != n + 1) break;
        ++n;
    }
    return n;
}

}  // namespace

bool Desk::merge_message(Contact& c, Message m, const std::string& client_id, bool* is_new) {
    m.client_id.clear();  // on the desk, a client_id marks a message the backend has not stored
    if (m.from == contact::Sender::Agent) want_agent_name(m.agent);
    c.message_count = std::max(c.message_count, m.seq);
    // From the end: a message seen again is usually a recent one.
    auto held = std::find_if(c.messages.rbegin(), c.messages.rend(),
                             [&](const Message& x) { return !pending(x) && x.id == m.id; });
    if (is_new) *is_new = held == c.messages.rend();
    if (held != c.messages.rend()) {  // seen already: only its status may have changed
        if (held->status == m.status) return false;
        held->status = m.status;
        return true;
    }
    // This desk's own message coming back: it takes the pending copy's place. Without a
    // client_id (the backend's events do not echo it), the copy with the same text.
    auto mine = std::find_if(c.messages.begin(), c.messages.end(), [&](const Message& x) {
        return pending(x) && (x.client_id == client_id ||
                              (client_id.empty() && m.from == contact::Sender::Agent && x.text == m.text));
    });
    if (mine != c.messages.end()) c.messages.erase(mine);
    // In seq order, before this desk's pending messages: after the last held message whose seq
    // is not greater (held messages are kept in seq order, pending ones after them, so this is
    // the first place from the front where one is pending or greater; a new message usually
    // goes last, so it is looked for from the end).
    auto after = std::find_if(c.messages.rbegin(), c.messages.rend(),
                              [&](const Message& x) { return !pending(x) && x.seq <= m.seq; });
    c.messages.insert(after.base(), std::move(m));
    return true;
}

void Desk::sync_transcript(const Contact& c, Out& out) {
    if (state_.connection != ConnectionState::Connected || state_.session != SessionState::LoggedIn) return;
    int64_t held = held_prefix(c);
    if (held >= c.message_count) return;
    bool fetching = std::any_of(state_.pending.begin(), state_.pending.end(), [&](const auto& p) {
        return p.second.kind == RequestKind::Messages && p.second.contact == c.id;
    });
    if (fetching) return;  // its reply asks for the next page if there is one
    fetch_messages(c.id, held, out);
}

void Desk::fetch_messages(const std::string& contact, int64_t after, Out& out) {
    std::string id = send_request(RequestKind::Messages,
                                  json{{"type", "get_messages"}, {"contact", contact}, {"after", after},
                                       {"limit", protocol::kMaxMessagesPage}},
                                  std::nullopt, out);
    state_.pending[id].contact = contact;
}

void Desk::on_messages_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    if (!reply.ok) {
        // The contact left the desk, or the page was unreadable: the next contact.updated or
        // message past the gap asks again.
        log(out, LogLevel::Warn, "the transcript of a contact could not be fetched: " + reply.error.code);
        return;
    }
    auto page = protocol::decode_get_messages_result(reply.result.root());
    if (!page) return refuse_reply(req, reply, page.error().message, out);
    Contact* c = contact_mut(req.contact);
    if (!c) return;  // it left while the page was on its way
    int64_t before = held_prefix(*c);
    bool changed = false;
    for (Message& m : page.value().messages) changed |= merge_message(*c, std::move(m), "");
    if (changed) out.push_back(Notify{"contact.updated", {}, c->id});
    int64_t now_held = held_prefix(*c);
    // The next page, only while pages bring what was missing: a backend that repeats itself
    // cannot keep the desk asking.
    if (page.value().more && now_held > before) fetch_messages(c->id, now_held, out);
    else if (now_held < c->message_count)
        log(out, LogLevel::Warn, "the backend's transcript of a contact has gaps; asked again on its next change");
}

}  // namespace sb::desk
