// contact_voice.cpp: voice contacts in ContactService (see contact_service.h): queue calls that
// Kamailio asks switchboardd to route (docs/telephony.md, "Queue calls"), callbacks, and the
// agents' outbound calls (`dial`).
//
// A call to a queue number rings one agent at a time. switchboardd chooses the agent with the
// rules of routing.h (skills, capacity per channel, longest idle) among those who have a phone
// (a live session with SIP credentials); Kamailio rings that agent's registrations for the offer
// timeout and, when the branch fails, asks again with `previous`. While it rings, the contact is
// `offered` to the agent; between two agents it is `queued` without being routed by route(): it
// belongs to Kamailio's call. When nobody can take it, it becomes a callback: a queued voice
// contact that route() offers like a chat; the agent accepts it and calls the customer back.
#include <algorithm>

#include "contact/card.h"
#include "util/text.h"
#include "contact/phone.h"
#include "server/contacts/contact_service.h"
#include "server/desk/desk_service.h"  // is_valid_utf8
#include "protocol/schema.h"
#include "server/telephony/recording.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;
using sb::Ok;
using sb::Status;

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n\"");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r\n\"");
    return s.substr(b, e - b + 1);
}

// SIP statuses of a failed branch that mean the agent did not answer (or could not be reached):
// a missed offer. Anything else (486, 603, ...) is a rejection.
bool is_missed_status(int status) { return status == 408 || status == 480 || status == 404; }


}  // namespace

sb::Result<CustomerRecord> ContactService::customer_by_phone(const std::string& e164, const std::string& name) {
    auto found = d_.contacts.find_customer_by_phone(e164);
    if (!found) return found.error();
    if (found.value()) return *found.value();
    CustomerRecord customer;
    customer.id = "cu-" + d_.random_id();
    customer.phone = e164;
    std::string n = trim(name);
    if (!n.empty() && is_valid_utf8(n) && utf8_length(n) <= 100) {
        auto space = n.find(' ');
        customer.first_name = n.substr(0, space);
        customer.last_name = space == std::string::npos ? "" : trim(n.substr(space + 1));
    }
    if (auto st = d_.contacts.save_customer(customer, d_.now()); !st) return st.error();
    return customer;
}

Status ContactService::offer_call(ContactRecord next, const std::string& agent) {
    int64_t now = d_.now();
    next.state = ContactState::Offered;
    next.agent = agent;
    next.offer_expires_at = now + config_.offer_timeout_ms;
    if (auto st = save(next); !st) return st;
    call_deadline_[next.id] = now + config_.offer_timeout_ms + kCallBackstopMs;
    acd_.busy(agent, now);
    d_.log.info("call offered", {{"contact", next.id}, {"agent", agent}});
    emit_contact(next, "contact.offered");
    return Ok{};
}

Status ContactService::make_callback(ContactRecord next) {
    next.state = ContactState::Queued;
    next.agent.reset();
    next.offer_expires_at.reset();
    next.callback = true;
    if (auto st = save(next); !st) return st;
    d_.log.info("nobody can take the call: callback queued", {{"contact", next.id}, {"queue", next.queue}});
    route();
    return Ok{};
}

std::optional<sb::Result<ContactService::CallRoute>> ContactService::same_answer(const ContactRecord& call) {
    // Another question about this call came first (a node Kamailio passed over as slow): the
    // same answer (busy: its callback is queued; offered: that agent's phone), or none if it
    // still waits in the queue, to be routed as the first would be.
    if (call.callback && call.state == ContactState::Queued) return CallRoute{true, "", call.id};
    if (!is_ringing_call(call))
        return make_error(code::wrong_state, "This call is already " + std::string(to_string(call.state)) + ".");
    if (call.state != ContactState::Offered || !call.agent) return std::nullopt;
    auto sip = d_.store.current_sip_username(*call.agent, d_.now());
    if (!sip) return sip.error();
    if (!sip.value()) return std::nullopt;
    return CallRoute{false, *sip.value(), call.id};
}

sb::Result<ContactRecord> ContactService::new_call(const std::string& call_id, const std::string& from,
                                                 const std::string& from_name, const QueueRecord& queue,
                                                 bool* asked_before) {
    // One contact per call: a node slow to answer may be passed over by Kamailio (docs/telephony.md,
    // "Several nodes"), and the next node asked about the same Call-ID must find the contact the
    // first one made. The Call-ID is claimed in the transaction that makes the contact, so a
    // second node's claim waits for it (PostgreSQL) and then reads it.
    ContactRecord call;
    call.id = "c-" + d_.random_id();
    Transaction tx(d_.store.database());
    if (!tx.begun()) return tx.begun().error();
    auto owner = d_.contacts.claim_call_id(call_id, call.id, d_.now());
    if (!owner) return owner.error();
    if (owner.value() != call.id) {
        *asked_before = true;
        if (const ContactRecord* known = find_open(owner.value())) return *known;
        auto stored = d_.contacts.find_contact(owner.value());
        if (!stored) return stored.error();
        if (!stored.value()) return make_error(code::internal, "call " + call_id + "'s contact is gone");
        if (take_row(owner.value(), stored.value())) return open_.at(owner.value());
        return *stored.value();  // (closed)
    }
    auto phone = sb::contact::normalize_e164(from, config_.default_country);
    std::optional<std::string> e164;
    if (phone) e164 = phone.value();
    CustomerRecord customer;
    if (e164) {
        auto found = customer_by_phone(*e164, from_name);
        if (!found) return found.error();
        customer = found.value();
    } else {  // withheld or not a number: a customer without a phone
        customer.id = "cu-" + d_.random_id();
        std::string n = trim(from_name);
        if (!n.empty() && is_valid_utf8(n) && utf8_length(n) <= 100) customer.first_name = n;
        if (auto st = d_.contacts.save_customer(customer, d_.now()); !st) return st.error();
    }
    int64_t now = d_.now();
    call.channel = Channel::Voice;
    call.state = ContactState::Queued;
    call.queue = queue.code;
    call.customer = customer.id;
    call.rank = now;
    call.created_at = now;
    call.customer_address = e164;
    call.service_address = queue.number;
    call.call_direction = "inbound";
    if (auto st = save(call); !st) return st.error();
    if (auto st = tx.commit(); !st) {
        forget_open(call.id);  // (kept in memory by save, never stored)
        return st.error();
    }
    d_.log.info("call arrived", {{"contact", call.id}, {"call_id", call_id}, {"queue", call.queue},
                                 {"customer", customer.id}});
    return call;
}

sb::Result<ContactService::CallRoute> ContactService::call_route(const std::string& call_id, const std::string& from,
                                                                 const std::string& from_name,
                                                                 const std::string& number,
                                                                 const std::optional<std::string>& previous,
                                                                 int status,
                                                                 const std::optional<std::string>& transfer) {
    for (const std::string* v : {&call_id, &from, &from_name, &number})
        if (!is_valid_utf8(*v) || v->size() > 256)
            return make_error(code::bad_message, "Fields must be UTF-8, at most 256 bytes.");
    const QueueRecord* queue = acd_.queue_by_number(number);
    if (!queue) return make_error(code::unknown_queue, "No queue has the number \"" + sb::text::quote(number) + "\".");

    ContactRecord call;
    bool new_contact = false;   // a new call's first question, here or on another node (new_call)
    bool asked_before = false;  // another question about this Call-ID made the contact (new_call)
    std::string target_agent;  // a transfer to a named agent: offered to them first
    std::optional<MovedCall> moved;
    if (!previous) {
        auto phone = sb::contact::normalize_e164(from, config_.default_country);
        auto claimed = claim_transfer(transfer, phone ? std::optional<std::string>(phone.value()) : std::nullopt, *queue);
        if (!claimed) return claimed.error();
        moved = std::move(claimed.value());
    }
    if (moved) {
        call = moved->contact;
        target_agent = moved->target_agent;
    } else if (previous) {
        auto it = open_.find(*previous);
        if (it == open_.end()) {
            auto stored = d_.contacts.find_contact(*previous);
            if (!stored) return stored.error();
            if (!stored.value()) return make_error(code::unknown_contact, "No contact with that id.");
            return make_error(code::wrong_state, "The contact is closed.");
        }
        if (it->second.channel != Channel::Voice || it->second.call_direction.value_or("") != "inbound" ||
            it->second.callback)
            return make_error(code::wrong_state, "The contact is not a ringing call.");
        if (!is_ringing_call(it->second)) return wrong_state(it->second, "offered or queued");
        if (it->second.queue != queue->code) return make_error(code::bad_message, "previous is a call to another queue.");
        if (it->second.state == ContactState::Offered) {
            std::string agent = it->second.agent.value_or("");
            bool missed = is_missed_status(status);
            d_.log.info(missed ? "call offer missed" : "call offer rejected",
                        {{"contact", *previous}, {"agent", agent}, {"status", status}});
            ContactRecord ringing = it->second;
            if (auto st = return_to_queue(ringing, missed ? "missed" : "rejected", true); !st) return st.error();
            if (missed && agents_ && !agent.empty()) agents_->missed_offer(agent);
        }
        // (queued: the agent already rejected it on the desk; the rejection is recorded.)
        call = open_.at(*previous);
    } else {
        new_contact = true;
        auto made = new_call(call_id, from, from_name, *queue, &asked_before);
        if (!made) return made.error();
        call = std::move(made.value());
        if (asked_before)
            if (auto same = same_answer(call)) return std::move(*same);
    }

    // Who may take it: routing.h's choice among agents with a phone, none who declined this call.
    auto agents = routable_agents();
    if (!agents) return agents.error();
    std::vector<RoutableAgent> candidates;
    for (RoutableAgent& a : agents.value())
        if (!acd_.has_declined(call.id, a.username)) candidates.push_back(std::move(a));
    if (!target_agent.empty()) {
        for (RoutableAgent& a : candidates)
            if (a.username == target_agent) {
                auto only = std::vector<RoutableAgent>{std::move(a)};
                candidates = std::move(only);
                break;
            }
    }
    RoutableContact rc{call.id, Channel::Voice, queue->skill, std::nullopt, {}};
    auto plan = plan_offers({rc}, std::move(candidates), d_.now());
    for (const PlannedOffer& o : plan) {
        auto sip = d_.store.current_sip_username(o.agent, d_.now());
        if (!sip) return sip.error();
        if (!sip.value()) break;  // (routable_agents checked; a session ended meanwhile)
        // The call's media goes through rtpengine from here, recorded (a transferred caller's new
        // call replaces the old Call-ID; asking again after a failed branch keeps the same one).
        // Before the offer, so that contact.offered already says "recording": "on".
        if (recorder_) recorder_->call_started(call.id, call_id);
        if (auto st = offer_call(call, o.agent); !st) {
            // Two nodes asked about a new call routed it at once (whichever made the contact)
            // and the other's offer was stored: its answer.
            if (new_contact && st.error().code == code::wrong_state)
                if (const ContactRecord* now = find_open(call.id))
                    if (auto same = same_answer(*now)) return std::move(*same);
            return st.error();
        }
        return CallRoute{false, *sip.value(), call.id};
    }
    if (auto st = make_callback(call); !st) return st.error();
    if (recorder_) recorder_->call_ended(call.id);  // the caller hears busy: no call to record
    return CallRoute{true, "", call.id};
}

// ---- transfers ----------------------------------------------------------------------------------
// An agent transfers a voice contact (desk `transfer`): nothing moves yet. The desk REFERs the
// caller to a queue's number with ;sb_contact=<id>; when that INVITE reaches route(), the contact
// is claimed for it (claim_transfer) and offered to the target. Not claimed within
// --transfer-wait (60 s), the transfer is forgotten and the contact stays the agent's.
ContactService::Reply ContactService::voice_transfer(const std::string& agent, const ContactRecord& c, const json& body) {
    bool to_queue = body.contains("queue"), to_agent = body.contains("agent");
    if (to_queue == to_agent) return make_error(code::bad_message, "Give exactly one of queue or agent.");
    const std::string& note = body.at("note").get_ref<const std::string&>();
    if (utf8_length(note) > 2000) return make_error(code::bad_message, "note is longer than 2000 characters.");
    // Card numbers never reach storage (docs/security.md): the note is kept masked.
    VoiceTransfer t{agent, c.queue, "", sb::contact::mask_card_numbers(note), d_.now() + config_.transfer_wait_ms};
    if (to_queue) {
        const std::string& code_ = body.at("queue").get_ref<const std::string&>();
        if (!find_queue(code_)) return make_error(code::unknown_queue, "No queue \"" + sb::text::quote(code_) + "\".");
        t.queue = code_;
    } else {
        t.agent = body.at("agent").get_ref<const std::string&>();
        auto rec = d_.store.find_agent(t.agent);
        if (!rec) return rec.error();
        if (!rec.value()) return make_error(code::unknown_agent, "No agent \"" + sb::text::quote(t.agent) + "\".");
        if (t.agent == agent) return make_error(code::bad_message, "agent: that is you; transfer to someone else.");
    }
    const QueueRecord* q = find_queue(t.queue);
    if (!q || !q->number)
        return make_error(code::bad_message, "The queue \"" + sb::text::quote(t.queue) + "\" has no number to transfer a call through.");
    voice_transfers_[c.id] = t;
    d_.log.info("call transfer requested", {{"contact", c.id}, {"from", agent}, {"queue", t.queue}, {"agent", t.agent}});
    return json::object();
}

sb::Result<std::optional<ContactService::MovedCall>> ContactService::claim_transfer(
    const std::optional<std::string>& contact, const std::optional<std::string>& e164, const QueueRecord& queue) {
    int64_t now = d_.now();
    for (auto it = voice_transfers_.begin(); it != voice_transfers_.end();)  // forget the expired
        it = it->second.expires_at <= now ? voice_transfers_.erase(it) : std::next(it);
    auto t = voice_transfers_.end();
    if (contact) {
        t = voice_transfers_.find(*contact);
        if (t == voice_transfers_.end()) {
            d_.log.info("a call names no pending transfer; it is a new call", {{"contact", *contact}});
            return std::optional<MovedCall>();
        }
    } else if (e164) {  // a phone that dropped the URI's parameter: the same caller to the same queue
        for (auto it = voice_transfers_.begin(); it != voice_transfers_.end(); ++it) {
            auto c = open_.find(it->first);
            if (c != open_.end() && c->second.state == ContactState::Active && c->second.customer_address == e164 &&
                it->second.queue == queue.code)
                t = it;
        }
    }
    if (t == voice_transfers_.end()) return std::optional<MovedCall>();
    VoiceTransfer pending = t->second;
    std::string id = t->first;
    voice_transfers_.erase(t);
    auto c = open_.find(id);
    // Active with the agent who asked, or already in their wrap-up (the caller left them first).
    if (c == open_.end() || c->second.agent != pending.from ||
        (c->second.state != ContactState::Active && c->second.state != ContactState::WrapUp) || pending.queue != queue.code) {
        d_.log.info("a pending transfer no longer applies; a new call", {{"contact", id}});
        return std::optional<MovedCall>();
    }
    ContactRecord next = c->second;
    next.state = ContactState::Queued;
    next.agent.reset();
    next.queue = pending.queue;
    next.accepted_at.reset();
    next.offer_expires_at.reset();
    next.ended_at.reset();
    next.ended_by.reset();
    next.acw_expires_at.reset();
    next.target_agent.reset();
    next.transfer_from = pending.from;
    next.transfer_note = pending.note;
    next.call_direction = "inbound";
    next.callback = false;
    next.service_address = queue.number;
    if (auto st = save(next); !st) return st.error();
    call_deadline_.erase(id);
    acd_.only_declined(id, pending.from);  // not offered back to who transferred it
    acd_.busy(pending.from, now);
    d_.log.info("call transferred", {{"contact", id}, {"from", pending.from}, {"queue", next.queue},
                                     {"agent", pending.agent}});
    emit(pending.from, "contact.ended", {{"contact", id}, {"reason", "transferred"}});
    return std::optional<MovedCall>(MovedCall{next, pending.agent});
}

Status ContactService::call_abandoned(const std::string& id) {
    auto it = open_.find(id);
    if (it == open_.end()) {
        auto stored = d_.contacts.find_contact(id);
        if (!stored) return stored.error();
        if (!stored.value()) return make_error(code::unknown_contact, "No contact with that id.");
        return make_error(code::wrong_state, "The contact is closed.");
    }
    if (!is_ringing_call(it->second)) return wrong_state(it->second, "a ringing call (offered or queued)");
    ContactRecord call = it->second;  // (a copy: giving up erases it from open_)
    d_.log.info("caller hung up before an answer", {{"contact", id}});
    return give_up(call, Sender::Customer, "abandoned");
}

sb::Result<ContactService::OutboundCall> ContactService::call_outbound(const std::string& id,
                                                                       const std::string& sip_user,
                                                                       const std::string& call_id) {
    auto agent = d_.store.sip_username_agent(sip_user, d_.now());
    if (!agent) return agent.error();
    if (!agent.value()) return make_error(code::not_your_contact, "No live session has that SIP user.");
    auto it = open_.find(id);
    if (it == open_.end()) return make_error(code::unknown_contact, "No open contact with that id.");
    const ContactRecord& c = it->second;
    if (c.agent != *agent.value()) return make_error(code::not_your_contact, "The contact is not this agent's.");
    if (c.channel != Channel::Voice || !(c.callback || c.call_direction.value_or("") == "outbound") || c.state != ContactState::Active ||
        !c.customer_address)
        return make_error(code::wrong_state, "The contact is not an outbound call in progress.");
    const QueueRecord* q = find_queue(c.queue);
    std::string caller_id = q && q->number ? *q->number : c.service_address.value_or("");
    // Kamailio records the call it now lets out (its offer carries record-call).
    if (recorder_ && !call_id.empty() && call_id.size() <= 256 && is_valid_utf8(call_id))
        recorder_->call_started(id, call_id);
    return OutboundCall{caller_id, *c.customer_address};
}

ContactService::Reply ContactService::dial(const std::string& agent, const json& body) {
    auto rec = d_.store.find_agent(agent);
    if (!rec) return rec.error();
    if (!rec.value()) return make_error(code::internal, "agent missing");
    if (rec.value()->snapshot.state == sb::agent::Presence::Offline)
        return make_error(code::wrong_state, "You are offline; go available or not ready to make calls.");
    bool has_number = body.contains("number"), has_contact = body.contains("contact");
    if (has_number == has_contact) return make_error(code::bad_message, "Give exactly one of number or contact.");
    ContactRecord next;
    if (has_contact) {
        if (body.contains("queue")) return make_error(code::bad_message, "queue goes with number, not contact.");
        auto c = own(agent, body["contact"].get<std::string>());
        if (!c) return c.error();
        if (c.value().channel != Channel::Voice || !c.value().callback)
            return make_error(code::wrong_state, "Only a callback contact is dialled by its id.");
        if (c.value().state != ContactState::Active) return wrong_state(c.value(), "active (accepted)");
        if (!c.value().customer_address)
            return make_error(code::wrong_state, "The caller withheld their number; there is nothing to call.");
        next = c.value();
        next.call_direction = "outbound";
    } else {
        const std::string& raw = body["number"].get_ref<const std::string&>();
        auto phone = raw.size() <= 64 && is_valid_utf8(raw) ? sb::contact::normalize_e164(raw, config_.default_country)
                                                           : sb::Result<std::string>(make_error("invalid_phone", ""));
        if (!phone) return make_error(code::bad_message, "number is not a phone number.");
        const QueueRecord* queue = nullptr;
        if (body.contains("queue")) {
            const std::string& qc = body["queue"].get_ref<const std::string&>();
            queue = find_queue(qc);
            if (!queue) return make_error(code::unknown_queue, "No queue \"" + sb::text::quote(qc) + "\".");
        } else {
            queue = acd_.home_queue(agent);
            if (!queue) return make_error(code::internal, "no queue");
        }
        auto customer = customer_by_phone(phone.value(), "");
        if (!customer) return customer.error();
        int64_t now = d_.now();
        next.id = "c-" + d_.random_id();
        next.channel = Channel::Voice;
        next.queue = queue->code;
        next.customer = customer.value().id;
        next.agent = agent;
        next.rank = now;
        next.created_at = now;
        next.accepted_at = now;
        next.customer_address = phone.value();
        next.service_address = queue->number;
        next.call_direction = "outbound";
        next.state = ContactState::Active;
    }
    if (auto st = save(next); !st) return st.error();
    acd_.busy(agent, d_.now());
    d_.log.info("dial", {{"contact", next.id}, {"agent", agent}, {"callback", next.callback}});
    emit_contact(next, "contact.updated");
    auto j = contact_json(next);
    if (!j) return j.error();
    return json{{"contact", std::move(j.value())}, {"dial", *next.customer_address}};
}

}  // namespace sbd
