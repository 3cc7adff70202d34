// desk/contacts.cpp: the agent's contacts (chat and SMS). The backend owns each contact's
// lifecycle; the desk mirrors it from the session and the contact.* events, checks an intent
// against what it knows before sending it (the backend checks again), keeps the agent's
// unsent messages in an outbox that survives reconnects, and keeps drafts across reloads.
#include <algorithm>

#include "contact/card.h"
#include "desk/desk.h"
#include "protocol/frames.h"
#include "protocol/json_text.h"
#include "protocol/schema.h"

namespace sb::desk {

using nlohmann::json;
using contact::Contact;
using contact::ContactState;

namespace {

const char* required_state_name(ContactState s) {
    switch (s) {
        case ContactState::Offered: return "offered";
        case ContactState::Active: return "active";
        case ContactState::WrapUp: return "in wrap-up";
        default: return "open";
    }
}

int code_points(const std::string& s) {
    int n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
}

}  // namespace

contact::Contact* Desk::contact_mut(std::string_view id) {
    for (auto& c : state_.contacts)
        if (c.id == id) return &c;
    return nullptr;
}

std::string Desk::next_client_id() {
    uint64_t r = next_random();
    static const char* hex = "0123456789abcdef";
    std::string id = "m-";
    for (int i = 0; i < 16; ++i) id += hex[(r >> (i * 4)) & 0xF];
    return id;
}

// ---- intents -----------------------------------------------------------------------------------

// The live call of the voice contact an accept, reject, end or transfer names, if any.
const Call* Desk::voice_call_of(const Intent& in) const {
    std::string id;
    std::visit([&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, AcceptIntent> || std::is_same_v<T, RejectIntent> ||
                      std::is_same_v<T, EndIntent> || std::is_same_v<T, TransferIntent>)
            id = x.contact;
    }, in);
    if (const auto* t = std::get_if<TransferIntent>(&in); t && t->call != 0)
        for (const auto& c : state_.calls)
            if (c.id == t->call) return &c;
    return id.empty() ? nullptr : find_call_for(state_, id);
}

void Desk::on_contact_intent(uint64_t intent, const Intent& in, Out& out) {
    if (const auto* d = std::get_if<SaveDraftIntent>(&in)) {
        save_draft(*d, out);
        return complete(out, intent, json::object());
    }
    if (const auto* r = std::get_if<MarkReadIntent>(&in)) {
        const Contact* c = find_contact(state_, r->contact);
        if (!c) return complete(out, intent, make_error(protocol::code::unknown_contact, "No such contact on this desk."));
        state_.read_upto[c->id] = c->messages.size();
        return complete(out, intent, json::object());
    }
    if (state_.session != SessionState::LoggedIn)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (const auto* u = std::get_if<UpdateCustomerIntent>(&in)) {
        bool known = std::any_of(state_.contacts.begin(), state_.contacts.end(),
                                 [&](const Contact& c) { return c.customer.id == u->customer; });
        if (!known) return complete(out, intent, make_error(protocol::code::unknown_customer, "No such customer on this desk."));
        if (state_.connection != ConnectionState::Connected)
            return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
        json body = {{"type", "update_customer"}, {"customer", u->customer}};
        // The backend checks the sensitive fields against the contact named (docs/verification.md):
        // the one the intent names, or this customer's only contact on the desk.
        std::optional<std::string> on = u->contact;
        if (!on && std::count_if(state_.contacts.begin(), state_.contacts.end(),
                                 [&](const Contact& c) { return c.customer.id == u->customer; }) == 1)
            on = std::find_if(state_.contacts.begin(), state_.contacts.end(),
                              [&](const Contact& c) { return c.customer.id == u->customer; })->id;
        if (on) body["contact"] = *on;
        if (u->first_name) body["first_name"] = *u->first_name;
        if (u->last_name) body["last_name"] = *u->last_name;
        if (u->email) body["email"] = *u->email;
        if (u->notes) body["notes"] = *u->notes;
        if (u->address) body["address"] = *u->address;
        if (u->postcode) body["postcode"] = *u->postcode;
        if (u->phone) body["phone"] = *u->phone;
        std::string rid = send_request(RequestKind::Contact, std::move(body), intent, out);
        if (on) state_.pending[rid].contact = *on;
        return;
    }

    // A voice contact with a call on this desk: accept answers it, reject declines it, end
    // hangs up, transfer moves the call (calls.cpp).
    if (const Call* call = voice_call_of(in)) {
        CallRef ref{call->contact, call->id};
        if (std::holds_alternative<AcceptIntent>(in)) return on_call_intent(intent, AnswerIntent{ref}, out);
        if (std::holds_alternative<RejectIntent>(in) || std::holds_alternative<EndIntent>(in))
            return on_call_intent(intent, HangupIntent{ref}, out);
        if (const auto* t = std::get_if<TransferIntent>(&in)) return voice_transfer(intent, *t, out);
    }

    // The rest name a contact, which must be on this desk and in the right state.
    std::string contact_id;
    ContactState needed = ContactState::Active;
    json body;
    if (const auto* a = std::get_if<AcceptIntent>(&in)) {
        contact_id = a->contact, needed = ContactState::Offered, body = {{"type", "accept"}};
    } else if (const auto* r = std::get_if<RejectIntent>(&in)) {
        contact_id = r->contact, needed = ContactState::Offered, body = {{"type", "reject"}};
    } else if (const auto* t = std::get_if<TypingIntent>(&in)) {
        contact_id = t->contact, body = {{"type", "typing"}, {"typing", t->typing}};
    } else if (const auto* t = std::get_if<TransferIntent>(&in)) {
        contact_id = t->contact;
        if (t->queue.empty() == t->agent.empty())
            return complete(out, intent, make_error("bad_intent", "Transfer to a queue or to an agent (one of them)."));
        if (!t->queue.empty() && !find_queue(state_, t->queue))
            return complete(out, intent, make_error(protocol::code::unknown_queue, "No queue \"" + t->queue.substr(0, 32) + "\"."));
        body = {{"type", "transfer"}, {"note", t->note}};
        if (!t->queue.empty()) body["queue"] = t->queue;
        else body["agent"] = t->agent;
    } else if (const auto* e = std::get_if<EndIntent>(&in)) {
        contact_id = e->contact, body = {{"type", "end"}};
    } else if (const auto* w = std::get_if<WrapUpIntent>(&in)) {
        contact_id = w->contact, needed = ContactState::WrapUp;
        body = {{"type", "wrap_up"}, {"disposition", w->disposition}, {"notes", w->notes}, {"tags", w->tags}};
    } else if (const auto* m = std::get_if<SendMessageIntent>(&in)) {
        return send_message(intent, *m, out);
    } else if (const auto* v = std::get_if<VerifyAnswerIntent>(&in)) {  // docs/verification.md
        contact_id = v->contact;
        body = {{"type", "verify_answer"}, {"step", v->step}, {"answer", v->answer}};
        const Contact* c = find_contact(state_, contact_id);
        if (c && c->verification && !verify::find_step(*c->verification, verify::parse_step(v->step).value_or(
                                                                               verify::StepKind::CallerNumber)))
            return complete(out, intent, make_error(protocol::code::unknown_step,
                                                    "\"" + v->step.substr(0, 32) + "\" is not a step of this contact's checklist."));
    } else if (const auto* v = std::get_if<VerifySendCodeIntent>(&in)) {
        contact_id = v->contact, body = {{"type", "verify_send_code"}};
    } else {
        return;
    }

    const Contact* c = find_contact(state_, contact_id);
    if (!c) return complete(out, intent, make_error(protocol::code::unknown_contact, "No such contact on this desk."));
    if (c->state != needed)
        return complete(out, intent, make_error(protocol::code::wrong_state,
                                                std::string("The contact is not ") + required_state_name(needed) + "."));
    if (const auto* w = std::get_if<WrapUpIntent>(&in)) {
        const contact::Queue* q = find_queue(state_, c->queue);
        bool listed = q && std::any_of(q->dispositions.begin(), q->dispositions.end(),
                                       [&](const contact::Disposition& d) { return d.code == w->disposition; });
        if (w->disposition.empty() || (q && !listed))
            return complete(out, intent, make_error(protocol::code::invalid_disposition, "Choose a disposition from the list."));
    }
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    body["contact"] = contact_id;
    std::string id = send_request(RequestKind::Contact, std::move(body), intent, out);
    state_.pending[id].contact = contact_id;
}

void Desk::send_message(uint64_t intent, const SendMessageIntent& in, Out& out) {
    Contact* c = contact_mut(in.contact);
    if (!c) return complete(out, intent, make_error(protocol::code::unknown_contact, "No such contact on this desk."));
    if (c->state != ContactState::Active)
        return complete(out, intent, make_error(protocol::code::wrong_state, "The contact is not active."));
    if (blank(in.text)) return complete(out, intent, make_error("bad_intent", "The message is empty."));
    int limit = contact::max_message_characters(c->channel);
    if (code_points(in.text) > limit)
        return complete(out, intent,
                        make_error("bad_intent", "The message is longer than " + std::to_string(limit) + " characters."));

    // Shown at once as "sending"; acknowledged (and then shown as sent) by the backend.
    contact::Message m;
    m.client_id = next_client_id();
    m.id = m.client_id;
    m.from = contact::Sender::Agent;
    m.text = in.text;
    m.at_ms = now_ + state_.clock_offset_ms;
    m.agent = state_.agent ? state_.agent->username : "";
    m.status = contact::MessageStatus::Pending;
    state_.outbox.push_back(OutgoingMessage{c->id, m.client_id, in.text, intent, false});
    c->messages.push_back(std::move(m));
    out.push_back(Notify{"contact.updated", {}, c->id});
    flush_outbox(out);
}

// Sends whatever the outbox holds that is not in flight, when the backend can take it.
void Desk::flush_outbox(Out& out) {
    if (state_.connection != ConnectionState::Connected || state_.session != SessionState::LoggedIn) return;
    for (auto& m : state_.outbox) {
        if (m.in_flight) continue;
        m.in_flight = true;
        // One per message the agent sends, so written directly: the text nlohmann would write
        // for {type, contact, text, client_id, id} (its keys in order).
        std::string id = begin_request(RequestKind::SendMessage, m.intent);
        std::string text = "{\"client_id\":";
        protocol::append_json_string(text, m.client_id);
        text += ",\"contact\":";
        protocol::append_json_string(text, m.contact);
        text += ",\"id\":";
        protocol::append_json_string(text, id);
        text += ",\"text\":";
        protocol::append_json_string(text, m.text);
        text += ",\"type\":\"send_message\"}";
        PendingRequest& pending = state_.pending[id];
        pending.contact = m.contact;
        pending.client_id = m.client_id;
        send_request_text(std::move(text), out);
    }
}

void Desk::save_draft(const SaveDraftIntent& in, Out& out) {
    Draft& d = state_.drafts[in.contact];
    // Card numbers never reach storage (docs/security.md): the desk keeps, and persists, drafts
    // with their card numbers masked ("•••• 1111"), so the composer shows the masked text too.
    if (in.text) d.text = contact::mask_card_numbers(*in.text);
    if (in.wrap_up) {
        d.wrap_up = *in.wrap_up;
        d.wrap_up->notes = contact::mask_card_numbers(d.wrap_up->notes);
        for (std::string& tag : d.wrap_up->tags) tag = contact::mask_card_numbers(tag);
    }
    if (d.text.empty() && !d.wrap_up) state_.drafts.erase(in.contact);
    persist_drafts(out);
}

void Desk::persist_drafts(Out& out) {
    if (state_.drafts.empty()) {
        out.push_back(Persist{"drafts", std::nullopt});
        return;
    }
    // Every keystroke's draft is persisted, so written directly: the text nlohmann would write
    // for {id: {text, wrap_up: {disposition, notes, tags}}} (drafts and keys in order).
    std::string text = "{";
    for (const auto& [id, d] : state_.drafts) {
        if (text.size() > 1) text += ',';
        protocol::append_json_string(text, id);
        text += ":{\"text\":";
        protocol::append_json_string(text, d.text);
        if (d.wrap_up) {
            text += ",\"wrap_up\":{\"disposition\":";
            protocol::append_json_string(text, d.wrap_up->disposition);
            text += ",\"notes\":";
            protocol::append_json_string(text, d.wrap_up->notes);
            text += ",\"tags\":[";
            for (size_t i = 0; i < d.wrap_up->tags.size(); ++i) {
                if (i) text += ',';
                protocol::append_json_string(text, d.wrap_up->tags[i]);
            }
            text += "]}";
        }
        text += '}';
    }
    text += '}';
    out.push_back(Persist{"drafts", std::move(text)});
}

// ---- replies -----------------------------------------------------------------------------------

void Desk::on_contact_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    if (!reply.ok) {
        state_.notice = reply.error.message;  // shown on the desk: the agent clicked something that did not happen
        if (req.intent) complete(out, *req.intent, reply.error);
        return;
    }
    auto decoded = protocol::decode_contact_result(reply.result.root());
    if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);
    protocol::ContactResult& r = decoded.value();
    if (r.contact) {
        if (r.contact->state == ContactState::Closed) {
            state_.drafts.erase(r.contact->id);
            persist_drafts(out);
            remove_contact(r.contact->id, out);
        } else {
            upsert_contact(std::move(*r.contact), out);
        }
    }
    if (r.verification && !req.contact.empty()) {
        if (Contact* c = contact_mut(req.contact)) {
            c->verification = std::move(*r.verification);
            out.push_back(Notify{"contact.updated", {}, c->id});
        }
    }
    if (r.payment && !req.contact.empty()) apply_payment(req.contact, *r.payment, out);
    if (r.customer)
        // Unlocked or masked as the contact the request named is (docs/verification.md): only that
        // contact takes it; the others with the customer hear of the change as contact.updated.
        for (auto& c : state_.contacts)
            if (c.customer.id == r.customer->id && (req.contact.empty() || req.contact == c.id)) {
                c.customer = *r.customer;
                out.push_back(Notify{"contact.updated", {}, c.id});
            }
    if (req.intent) complete(out, *req.intent, protocol::to_nlohmann(reply.result.root()));
}

void Desk::on_send_message_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out) {
    std::optional<contact::Message> stored;
    if (reply.ok) {
        auto decoded = protocol::decode_send_message_result(reply.result.root());
        if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);  // the message shows as failed
        stored = std::move(decoded.value());
    }
    auto queued = std::find_if(state_.outbox.begin(), state_.outbox.end(),
                               [&](const OutgoingMessage& m) { return m.client_id == req.client_id; });
    if (queued != state_.outbox.end()) state_.outbox.erase(queued);
    Contact* c = contact_mut(req.contact);
    auto mine = [&](const contact::Message& m) { return m.client_id == req.client_id; };
    if (!stored) {
        if (c)
            for (auto& m : c->messages)
                if (mine(m)) (void)contact::move(m.status, contact::MessageStatus::Failed);  // a pending one
        if (c) out.push_back(Notify{"contact.updated", {}, c->id});
        state_.notice = reply.error.message;
        if (req.intent) complete(out, *req.intent, reply.error);
        return;
    }
    if (c) {
        // The pending copy gives way to the stored message (held already if its event came first).
        bool changed = std::erase_if(c->messages, mine) > 0;
        changed |= merge_message(*c, std::move(*stored), req.client_id);
        if (changed) out.push_back(Notify{"contact.updated", {}, c->id});
        sync_transcript(*c, out);
    }
    // The reply itself is the result: no copy, and no tree unless someone reads it.
    if (req.intent) complete(out, *req.intent, std::make_shared<const protocol::JsonDoc>(std::move(reply.result)));
}

// ---- events and the session's contacts -----------------------------------------------------------

void Desk::upsert_contact(contact::Contact c, Out& out) {
    Contact* existing = contact_mut(c.id);
    bool offered = !existing && c.state == ContactState::Offered;
    // A contact object brings no transcript (protocol version 2): keep the one held, with this
    // desk's unacknowledged messages, and fetch what it lacks (transcript.cpp).
    if (existing) {
        c.messages = std::move(existing->messages);
        for (const auto& m : c.messages) c.message_count = std::max(c.message_count, m.seq);
    }
    std::string id = c.id;
    Contact* now = existing;
    if (existing) *existing = std::move(c);
    else now = &state_.contacts.emplace_back(std::move(c));
    out.push_back(Notify{offered ? "contact.offered" : "contact.updated", {}, id});
    want_agent_names(*now);
    sync_transcript(*now, out);
}

void Desk::remove_contact(const std::string& id, Out& out) {
    auto it = std::find_if(state_.contacts.begin(), state_.contacts.end(), [&](const Contact& c) { return c.id == id; });
    if (it == state_.contacts.end()) return;
    state_.contacts.erase(it);
    state_.read_upto.erase(id);
    // Messages that can no longer be delivered fail their intents.
    for (auto m = state_.outbox.begin(); m != state_.outbox.end();) {
        if (m->contact != id) { ++m; continue; }
        if (m->intent && !m->in_flight)
            complete(out, *m->intent, make_error(protocol::code::not_your_contact, "The contact left this desk."));
        m = state_.outbox.erase(m);
    }
}

bool Desk::on_contact_event(protocol::Event& event, Out& out) {
    if (on_payment_event(event, out)) return true;  // payments.cpp
    if (const auto* e = std::get_if<protocol::ContactChanged>(&event)) {
        if (e->contact.state == ContactState::Closed) remove_contact(e->contact.id, out);
        else upsert_contact(e->contact, out);
        return true;
    }
    if (auto* e = std::get_if<protocol::ContactMessage>(&event)) {
        Contact* c = contact_mut(e->contact);
        if (!c) {
            log(out, LogLevel::Warn, "contact.message for a contact not on this desk");
            return true;
        }
        // By id (transcript.cpp): a message seen already (a resume may replay it) changes only
        // its status; one past a gap has the desk fetch what it missed. The decoded message is
        // taken, not copied.
        std::string client_id = std::move(e->message.client_id);
        bool from_customer = e->message.from == contact::Sender::Customer;
        bool is_new = false;
        if (merge_message(*c, std::move(e->message), client_id, &is_new)) {
            if (is_new && from_customer) c->customer_typing = false;
            out.push_back(Notify{"contact.updated", {}, c->id});
        }
        sync_transcript(*c, out);
        return true;
    }
    if (const auto* e = std::get_if<protocol::ContactVerification>(&event)) {  // docs/verification.md
        Contact* c = contact_mut(e->contact);
        if (!c) {
            log(out, LogLevel::Warn, "contact.verification for a contact not on this desk");
            return true;
        }
        c->verification = e->verification;
        if (e->customer) c->customer = *e->customer;  // the card's mask, as this contact may now see it
        out.push_back(Notify{"contact.verification", {{"contact", c->id}, {"verification", verify::to_json(e->verification)}}});
        out.push_back(Notify{"contact.updated", {}, c->id});
        return true;
    }
    if (const auto* e = std::get_if<protocol::ContactTyping>(&event)) {
        if (Contact* c = contact_mut(e->contact)) {
            c->customer_typing = e->typing;
            out.push_back(Notify{"contact.updated", {}, c->id});
        }
        return true;
    }
    if (const auto* e = std::get_if<protocol::ContactEnded>(&event)) {
        if (!find_contact(state_, e->contact)) return true;
        remove_contact(e->contact, out);
        if (state_.drafts.erase(e->contact)) persist_drafts(out);
        out.push_back(Notify{"contact.ended", {{"contact", e->contact}, {"reason", e->reason}}});
        return true;
    }
    return false;
}

void Desk::apply_session_contacts(const protocol::Session& session, Out& out) {
    // A part the session left out (refused, or absent) keeps what the desk had.
    if (session.queues) state_.queues = *session.queues;
    if (session.canned_responses) state_.canned_responses = *session.canned_responses;
    if (session.agents) state_.agents = *session.agents;
    if (!session.contacts) return;
    std::vector<Contact> fresh = *session.contacts;
    // Contacts that ended while this desk was away leave it; the rest are refreshed. One the
    // session lists but this desk cannot read stays as it was (the agent may be working on it).
    const auto& unread = session.refused_contacts;
    std::vector<std::string> gone;
    for (const auto& c : state_.contacts)
        if (std::none_of(fresh.begin(), fresh.end(), [&](const Contact& f) { return f.id == c.id; }) &&
            std::find(unread.begin(), unread.end(), c.id) == unread.end())
            gone.push_back(c.id);
    for (const auto& id : gone) {
        remove_contact(id, out);
        out.push_back(Notify{"contact.ended", {{"contact", id}, {"reason", "closed"}}});
    }
    for (auto& c : fresh) upsert_contact(std::move(c), out);
    // Drafts of contacts no longer here are of no use.
    bool dropped = false;
    for (auto it = state_.drafts.begin(); it != state_.drafts.end();) {
        if (!find_contact(state_, it->first)) { it = state_.drafts.erase(it); dropped = true; }
        else ++it;
    }
    if (dropped) persist_drafts(out);
}

}  // namespace sb::desk
