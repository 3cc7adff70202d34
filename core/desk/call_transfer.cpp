// desk/call_transfer.cpp: transfers of the desk's calls (calls.cpp has the calls themselves).
// Blind: REFER at once, to a number, a queue's number or an agent. A call with a voice contact
// transferred to a queue or an agent asks the backend first (`transfer`), and the REFER then names
// the contact in the queue number's URI (;sb_contact=), so that the target gets the same contact
// (docs/telephony.md, "Transfers"). Attended: call the colleague first (the caller on hold), then
// "complete" REFERs the caller to them with Replaces.
#include <algorithm>
#include <cctype>

#include "desk/desk.h"
#include "protocol/schema.h"

namespace sb::desk {

using nlohmann::json;

namespace {

Error no_call() { return make_error("unknown_call", "No such call on this desk."); }
Error call_state_error(const Call& c, const char* wants) {
    return make_error(protocol::code::wrong_state,
                      "The call is " + std::string(to_string(c.phase)) + "; this needs it " + wants + ".");
}
// A queue by its code or its dialable number.
const contact::Queue* queue_named(const DeskState& s, const std::string& name) {
    if (name.empty()) return nullptr;
    if (const contact::Queue* q = find_queue(s, name)) return q;
    for (const auto& q : s.queues)
        if (!q.number.empty() && q.number == name) return &q;
    return nullptr;
}

bool looks_like_number(const std::string& t) {
    return !t.empty() && (t[0] == '+' || (t[0] >= '0' && t[0] <= '9'));
}

bool token_chars(const std::string& t) {
    return !t.empty() && t.size() <= 128 && std::all_of(t.begin(), t.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
    });
}

// The domain of our address "sip:alice@example.com": where queue numbers are dialled.
std::string domain_of(const std::string& uri) {
    auto at = uri.find('@');
    if (at == std::string::npos) return {};
    std::string d = uri.substr(at + 1);
    return d.substr(0, d.find_first_of(";>?"));
}

}  // namespace

// A voice contact's transfer. Blind: REFER now, to a number or a queue (its number) or an agent.
// Attended: call the agent first (the caller waits on hold); "complete" then REFERs the caller
// to them with Replaces, and they are connected.
void Desk::voice_transfer(uint64_t intent, const TransferIntent& in, Out& out) {
    Call* c = call_for(CallRef{in.contact, in.call});
    if (!c) return complete(out, intent, no_call());
    if (c->phase != CallPhase::Active && c->phase != CallPhase::Held)
        return complete(out, intent, call_state_error(*c, "connected"));
    std::string target = !in.target.empty() ? in.target : !in.queue.empty() ? in.queue : in.agent;
    if (const contact::Queue* q = find_queue(state_, target); q && !q->number.empty()) target = q->number;
    if (target.empty() && in.mode != "complete")
        return complete(out, intent, make_error("bad_intent", "Transfer to whom? Give a number, a queue or an agent."));
    if (!c->contact.empty() && in.mode != "attended" && in.mode != "complete") {
        std::string queue = in.queue, agent = in.agent;
        if (queue.empty() && agent.empty()) {
            if (const contact::Queue* q = queue_named(state_, in.target)) queue = q->code;
            else if (!looks_like_number(in.target)) agent = in.target;
        }
        if (!queue.empty() || !agent.empty()) return transfer_contact(intent, *c, queue, agent, in.note, out);
    }
    if (in.mode == "attended") {
        for (const auto& other : state_.calls)
            if (other.consult_for == c->id)
                return complete(out, intent, make_error(protocol::code::wrong_state, "A consultation for this call is already up."));
        set_transfer(*c, CallTransfer::Consulting, out);
        call_changed(*c, out);
        return dial_agent(intent, target, c->id, out);
    }
    if (in.mode == "complete") {
        Call* consult = nullptr;
        for (auto& other : state_.calls)
            if (other.consult_for == c->id) consult = &other;
        if (!consult || consult->phase != CallPhase::Active || consult->sip == 0)
            return complete(out, intent, make_error(protocol::code::wrong_state, "Talk to the transfer's target first (an answered consultation)."));
        set_transfer(*c, CallTransfer::Requested, out);
        to_ua(sip::ua_event::AttendedTransfer{c->sip, consult->sip}, out);
        if (Call* again = call_for(CallRef{in.contact, in.call})) call_changed(*again, out);
        return complete(out, intent, json{{"call", c->id}});
    }
    set_transfer(*c, CallTransfer::Requested, out);
    to_ua(sip::ua_event::BlindTransfer{c->sip, target}, out);
    call_changed(*c, out);
    complete(out, intent, json{{"call", c->id}});
}

// A blind transfer of a call's contact to a queue or an agent (docs/telephony.md, "Transfers"):
// the backend records it first (transfer request), then the REFER sends the caller to a queue's
// number, the Request-URI naming the contact (;sb_contact=). When the caller's INVITE gets there,
// the backend gives the same contact to the target; this desk's contact leaves ("transferred").
void Desk::transfer_contact(uint64_t intent, Call& c, const std::string& queue, const std::string& agent,
                            const std::string& note, Out& out) {
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    const contact::Contact* contact = find_contact(state_, c.contact);
    const contact::Queue* q = find_queue(state_, !queue.empty() ? queue : contact ? contact->queue : std::string());
    if (!queue.empty() && !q)
        return complete(out, intent, make_error(protocol::code::unknown_queue, "No queue \"" + queue.substr(0, 32) + "\"."));
    std::string domain = domain_of(state_.voice.uri);
    if (!q || q->number.empty() || domain.empty() || !token_chars(c.contact))
        return complete(out, intent, make_error("no_number", "The queue has no number to transfer the call through."));
    json body = {{"type", "transfer"}, {"contact", c.contact}, {"note", note}};
    if (!queue.empty()) body["queue"] = queue;
    else body["agent"] = agent;
    std::string id = send_request(RequestKind::Dial, std::move(body), intent, out);
    state_.pending[id].call = c.id;
    state_.pending[id].contact = c.contact;
    c.refer_to = "sip:" + q->number + "@" + domain + ";sb_contact=" + c.contact;
    set_transfer(c, CallTransfer::Asking, out);
    call_changed(c, out);
}

// The backend's answer to a contact's transfer: REFER the caller, or tell why not.
void Desk::on_transfer_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    Call* c = call_mut(req.call);
    if (!reply.ok) {
        const Error& e = reply.error;
        state_.notice = "The transfer failed: " + e.message;
        if (c) {
            c->refer_to.clear();
            set_transfer(*c, CallTransfer::Failed, out);
            call_changed(*c, out);
        }
        if (req.intent) complete(out, *req.intent, e);
        return;
    }
    if (!c || c->sip == 0 || c->refer_to.empty()) {
        if (req.intent) complete(out, *req.intent, make_error("call_ended", "The call ended before the transfer."));
        return;
    }
    set_transfer(*c, CallTransfer::Requested, out);
    uint32_t id = c->id;
    to_ua(sip::ua_event::BlindTransfer{c->sip, c->refer_to}, out);
    if (Call* again = call_mut(id)) call_changed(*again, out);
    if (req.intent) complete(out, *req.intent, json{{"call", id}});
}

}  // namespace sb::desk
