// contact_service.cpp: the agents' side of contacts and the ACD (see contact_service.h). The
// customers' side (chat, SMS) is in contact_customers.cpp, the JSON in contact_json.cpp.
#include "server/contacts/contact_service.h"
#include "util/text.h"

#include <algorithm>
#include <iterator>

#include "contact/card.h"
#include "protocol/schema.h"
#include "server/contacts/contact_json.h"
#include "server/contacts/routing.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;
using sb::Ok;
using sb::Status;

namespace {
constexpr int64_t kMaxNote = 2000;
constexpr int64_t kMaxNotes = 4000;
constexpr std::size_t kMaxTags = 20;
constexpr int64_t kMaxTag = 50;
constexpr std::size_t kMaxClientId = 128;
}  // namespace

int64_t utf8_length(std::string_view s) {
    int64_t n = 0;
    for (char ch : s)
        if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
    return n;
}

// ---- load ---------------------------------------------------------------------------------------
Status ContactService::load() {
    auto queues = d_.contacts.queues();
    if (!queues) return queues.error();
    auto routing = d_.contacts.agent_routing();
    if (!routing) return routing.error();
    auto open = d_.contacts.open_contacts();
    if (!open) return open.error();
    if (auto st = read_available(); !st) return st;
    auto last_offers = d_.contacts.last_offers();
    if (!last_offers) return last_offers.error();
    acd_ = Acd{};
    acd_.load(std::move(queues.value()), std::move(routing.value()));
    for (const auto& [agent, at] : last_offers.value()) acd_.busy(agent, at);  // (as offer_contact knows them)
    open_.clear();
    int64_t now = d_.now();
    for (ContactRecord& c : open.value()) {
        if (c.state == ContactState::Queued || c.state == ContactState::Offered) acd_.restart_wait(c.id, now);  // a restart is a fresh wait
        if (is_ringing_call(c)) call_deadline_[c.id] = now + config_.offer_timeout_ms + kCallBackstopMs;
        open_[c.id] = std::move(c);
    }
    d_.log.info("contacts loaded", {{"open", open_.size()}, {"queues", acd_.queues().size()}});
    return Ok{};
}

// ---- desk requests ------------------------------------------------------------------------------
sb::Result<ContactRecord> ContactService::own(const std::string& agent, const std::string& contact) {
    if (auto it = open_.find(contact); it != open_.end()) {
        if (it->second.agent != agent) return make_error(code::not_your_contact, "This contact is not yours.");
        return it->second;
    }
    auto stored = d_.contacts.find_contact(contact);
    if (!stored) return stored.error();
    if (!stored.value()) return make_error(code::unknown_contact, "No contact with that id.");
    if (stored.value()->agent != agent) return make_error(code::not_your_contact, "This contact is not yours.");
    return *stored.value();  // closed: callers answer wrong_state
}

sb::Error wrong_state(const ContactRecord& c, std::string_view wants) {
    return make_error(code::wrong_state, "The contact is " + std::string(to_string(c.state)) + "; this needs it " +
                                             std::string(wants) + ".");
}

ContactService::Reply ContactService::accept(const std::string& agent, const std::string& id) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Offered) return wrong_state(c.value(), "offered");
    ContactRecord next = c.value();
    next.state = ContactState::Active;
    next.accepted_at = d_.now();
    next.offer_expires_at.reset();
    next.target_agent.reset();
    if (auto st = save(next); !st) return st.error();
    acd_.forget_declined(id);
    d_.log.info("contact accepted", {{"contact", id}, {"agent", agent}});
    emit_contact(next, "contact.updated");
    if (auto* link = link_for(next)) link->agent_joined(next, agent_display_name(agent));
    auto j = contact_json(next);
    if (!j) return j.error();
    return json{{"contact", std::move(j.value())}};
}

ContactService::Reply ContactService::reject(const std::string& agent, const std::string& id) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Offered) return wrong_state(c.value(), "offered");
    if (auto st = return_to_queue(c.value(), "rejected", true); !st) return st.error();
    d_.log.info("contact rejected", {{"contact", id}, {"agent", agent}});
    route();
    return json::object();
}

ContactService::Reply ContactService::send_message(const std::string& agent, const std::string& id,
                                                   const std::string& text, const std::string& client_id) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (client_id.empty() || client_id.size() > kMaxClientId)
        return make_error(code::bad_message, "client_id must be 1 to 128 characters.");
    // A repeat of a message already stored answers with it, whatever happened since.
    auto first = d_.contacts.find_message_by_client_id(id, Sender::Agent, client_id);
    if (!first) return first.error();
    if (first.value()) return json{{"message", message_json(*first.value())}};
    if (c.value().state != ContactState::Active) return wrong_state(c.value(), "active");
    int64_t max = c.value().channel == Channel::Sms ? 1600 : 4000;
    int64_t len = utf8_length(text);
    if (len == 0 || text.find_first_not_of(" \t\r\n") == std::string::npos)
        return make_error(code::bad_message, "text is empty.");
    if (len > max)
        return make_error(code::bad_message, "text is longer than " + std::to_string(max) + " characters.");
    auto m = add_message(c.value(), Sender::Agent, text, agent, client_id, MessageStatus::Sent);
    if (!m) return m.error();
    if (auto* link = link_for(c.value())) link->agent_message(c.value(), m.value(), agent_display_name(agent));
    return json{{"message", message_json(m.value())}};
}

ContactService::Reply ContactService::typing(const std::string& agent, const std::string& id, bool is_typing) {
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Active) return wrong_state(c.value(), "active");
    if (auto* link = link_for(c.value())) link->agent_typing(c.value(), is_typing);
    announce_typing(Sender::Agent, id, is_typing);  // (the customer's page may be on another node)
    return json::object();
}

ContactService::Reply ContactService::get_messages(const std::string& agent, const json& body) {
    // Only a contact on the agent's desk (offered, active, wrap-up), like every contact request.
    auto c = own(agent, body.at("contact").get_ref<const std::string&>());
    if (!c) return c.error();
    if (c.value().state == ContactState::Closed) return wrong_state(c.value(), "open");
    // NonNegativeInteger (schema.h): a number past int64 reads as negative; such a limit is refused.
    int64_t after = body.contains("after") ? std::max<int64_t>(0, body["after"].get<int64_t>()) : 0;
    auto limit = sb::protocol::page_limit(body, sb::protocol::kMaxMessagesPage, sb::protocol::kMaxMessagesPage);
    if (!limit) return limit.error();
    auto page = d_.contacts.messages_after(c.value().id, after, limit.value() + 1);  // one more: is there more?
    if (!page) return page.error();
    const bool more = sb::protocol::trim_page(page.value(), limit.value());
    json list = json::array();
    for (const MessageRecord& m : page.value()) list.push_back(message_json(m));
    return json{{"messages", std::move(list)}, {"more", more}};
}

ContactService::Reply ContactService::transfer(const std::string& agent, const json& body) {
    const std::string& id = body.at("contact").get_ref<const std::string&>();
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::Active) return wrong_state(c.value(), "active");
    if (c.value().channel == Channel::Voice) return voice_transfer(agent, c.value(), body);  // contact_voice.cpp
    bool to_queue = body.contains("queue"), to_agent = body.contains("agent");
    if (to_queue == to_agent) return make_error(code::bad_message, "Give exactly one of queue or agent.");
    const std::string& note = body.at("note").get_ref<const std::string&>();
    if (utf8_length(note) > kMaxNote) return make_error(code::bad_message, "note is longer than 2000 characters.");

    ContactRecord next = c.value();
    if (to_queue) {
        const std::string& queue = body.at("queue").get_ref<const std::string&>();
        if (!find_queue(queue)) return make_error(code::unknown_queue, "No queue \"" + sb::text::quote(queue) + "\".");
        next.queue = queue;
        next.target_agent.reset();
    } else {
        const std::string& target = body.at("agent").get_ref<const std::string&>();
        auto rec = d_.store.find_agent(target);
        if (!rec) return rec.error();
        if (!rec.value()) return make_error(code::unknown_agent, "No agent \"" + sb::text::quote(target) + "\".");
        if (target == agent) return make_error(code::bad_message, "agent: that is you; transfer to someone else.");
        next.target_agent = target;
    }
    next.state = ContactState::Queued;
    next.agent.reset();
    next.accepted_at.reset();
    next.offer_expires_at.reset();
    next.transfer_from = agent;
    next.transfer_note = sb::contact::mask_card_numbers(note);  // docs/security.md
    next.rank = acd_.front_rank(open_, next.queue, next.rank);
    if (auto st = save(next); !st) return st.error();
    acd_.forget_declined(id);
    customer_typing_.erase(id);
    acd_.busy(agent, d_.now());
    d_.log.info("contact transferred", {{"contact", id}, {"from", agent}, {"queue", next.queue},
                                        {"agent", next.target_agent.value_or("")}});
    emit(agent, "contact.ended", {{"contact", id}, {"reason", "transferred"}});
    route();
    return json::object();
}

ContactService::Reply ContactService::end(const std::string& agent, const std::string& id, Sender by) {
    if (by == Sender::System) return make_error(code::bad_message, "by must be \"agent\" or \"customer\".");
    auto c = own(agent, id);
    if (!c) return c.error();
    if (by == Sender::Customer && c.value().channel != Channel::Voice)
        return make_error(code::bad_message, "by: \"customer\" is only for voice contacts (the customer ends a chat or SMS).");
    if (c.value().state != ContactState::Active) return wrong_state(c.value(), "active");
    ContactRecord next = c.value();
    int64_t now = d_.now();
    next.state = ContactState::WrapUp;
    next.ended_at = now;
    next.ended_by = by;
    next.acw_expires_at = now + config_.acw_max_ms;
    if (auto st = save(next); !st) return st.error();
    customer_typing_.erase(id);
    d_.log.info("contact ended", {{"contact", id}, {"by", by}});
    emit_contact(next, "contact.updated");
    if (auto* link = link_for(next)) link->ended(next, by);
    auto j = contact_json(next);
    if (!j) return j.error();
    return json{{"contact", std::move(j.value())}};
}

ContactService::Reply ContactService::wrap_up(const std::string& agent, const json& body) {
    const std::string& id = body.at("contact").get_ref<const std::string&>();
    auto c = own(agent, id);
    if (!c) return c.error();
    if (c.value().state != ContactState::WrapUp) return wrong_state(c.value(), "in wrap_up");
    const std::string& disposition = body.at("disposition").get_ref<const std::string&>();
    const QueueRecord* q = find_queue(c.value().queue);
    bool known = q && std::any_of(q->dispositions.begin(), q->dispositions.end(),
                                  [&](const Disposition& d) { return d.code == disposition; });
    if (!known)
        return make_error(code::invalid_disposition,
                          "\"" + sb::text::quote(disposition) + "\" is not a disposition of queue " + c.value().queue + ".");
    const std::string& notes = body.at("notes").get_ref<const std::string&>();
    if (utf8_length(notes) > kMaxNotes) return make_error(code::bad_message, "notes is longer than 4000 characters.");
    const json& tags = body.at("tags");
    if (tags.size() > kMaxTags) return make_error(code::bad_message, "tags: at most 20.");
    for (const json& t : tags)
        if (t.get_ref<const std::string&>().empty() || utf8_length(t.get_ref<const std::string&>()) > kMaxTag)
            return make_error(code::bad_message, "tags: each 1 to 50 characters.");
    // Card numbers never reach storage (docs/security.md): notes and tags are masked.
    json masked_tags = json::array();
    for (const json& t : tags) masked_tags.push_back(sb::contact::mask_card_numbers(t.get_ref<const std::string&>()));
    if (auto st = close_after_work(c.value(), disposition, sb::contact::mask_card_numbers(notes), masked_tags); !st)
        return st.error();
    auto closed = d_.contacts.find_contact(id);
    if (!closed) return closed.error();
    if (!closed.value()) return make_error(code::internal, "closed contact vanished");
    auto j = contact_json(*closed.value());
    if (!j) return j.error();
    return json{{"contact", std::move(j.value())}};
}

ContactService::Reply ContactService::update_customer(const std::string& agent, const json& body) {
    const std::string& id = body.at("customer").get_ref<const std::string&>();
    auto found = d_.contacts.find_customer(id);
    if (!found) return found.error();
    if (!found.value()) return make_error(code::unknown_customer, "No customer with that id.");
    // The contact the change is made on, when named: the agent's, open, with this customer.
    std::optional<ContactRecord> named;
    if (auto it = body.find("contact"); it != body.end()) {
        auto c = own(agent, it->get_ref<const std::string&>());
        if (!c) return c.error();
        if (!open_.count(c.value().id) || c.value().state == ContactState::Queued) return wrong_state(c.value(), "open");
        if (c.value().customer != id) return make_error(code::bad_message, "The contact is not with this customer.");
        named = c.value();
    }
    bool on_desk = named || std::any_of(open_.begin(), open_.end(), [&](const auto& kv) {
        return kv.second.customer == id && kv.second.agent == agent && kv.second.state != ContactState::Queued;
    });
    if (!on_desk) return make_error(code::not_your_contact, "This customer is not on any of your contacts.");
    // What is malformed is bad_message whoever asks (before the verification it would need).
    struct Field { const char* name; int64_t max; };
    for (const Field& f : {Field{"first_name", 100}, Field{"last_name", 100}, Field{"email", 254},
                           Field{"notes", kMaxNotes}}) {
        auto it = body.find(f.name);
        if (it == body.end()) continue;
        const std::string& v = it->get_ref<const std::string&>();
        if (utf8_length(v) > f.max)
            return make_error(code::bad_message, std::string(f.name) + " is longer than " + std::to_string(f.max) +
                                                     " characters.");
        if (std::string(f.name) == "email" && !v.empty() && v.find('@') == std::string::npos)
            return make_error(code::bad_message, "email is not an email address.");
    }
    // The address and the channels codes go to are sensitive (docs/verification.md): they change
    // only on the named contact, verified (verification.cpp).
    auto sensitive = check_sensitive_change(*found.value(), named, body);
    if (!sensitive) return sensitive.error();
    CustomerRecord next = *found.value();
    // Card numbers never reach storage (docs/security.md): every field is masked.
    auto field = [&](const char* name) { return sb::contact::mask_card_numbers(body[name].get_ref<const std::string&>()); };
    if (body.contains("first_name")) next.first_name = field("first_name");
    if (body.contains("last_name")) next.last_name = field("last_name");
    if (body.contains("email")) {
        std::string e = field("email");
        next.email = e.empty() ? std::nullopt : std::optional<std::string>(e);
    }
    if (body.contains("phone")) next.phone = sensitive.value().phone;
    if (body.contains("notes")) next.notes = field("notes");
    if (auto st = update_sensitive_customer_fields(id, body); !st) return st.error();  // verification.cpp
    if (auto st = d_.contacts.save_customer(next, d_.now()); !st) return st.error();
    d_.log.info("customer updated", {{"customer", id}, {"agent", agent}});
    audit_customer_change(agent, id, named, sensitive.value().fields);  // verification.cpp
    for (const auto& [cid, c] : open_)
        if (c.customer == id && c.agent && c.state != ContactState::Queued) emit_contact(c, "contact.updated");
    bool unlocked = named && static_cast<bool>(require_verified(*named));
    auto j = customer_json(id, unlocked);
    if (!j) return j.error();
    return json{{"customer", std::move(j.value())}};
}

// ---- session ------------------------------------------------------------------------------------
ContactService::Reply ContactService::session_parts(const std::string& agent) {
    json contacts = json::array();
    for (const auto& [id, c] : open_) {
        if (c.agent != agent || c.state == ContactState::Queued) continue;
        auto j = contact_json(c);
        if (!j) return j.error();
        contacts.push_back(std::move(j.value()));
    }
    json queues = json::array();
    for (const QueueRecord& q : acd_.queues()) queues.push_back(queue_json(q));
    auto canned = d_.contacts.canned_responses();
    if (!canned) return canned.error();
    json responses = json::array();
    for (const CannedResponse& r : canned.value())
        responses.push_back({{"id", r.id}, {"title", r.title}, {"text", r.text}});
    return json{{"contacts", std::move(contacts)}, {"queues", std::move(queues)},
                {"canned_responses", std::move(responses)}};
}

// ---- presence and time --------------------------------------------------------------------------
sb::Result<std::optional<AgentRecord>> ContactService::reread_presence(const std::string& agent) {
    // The roster routing reads: one agent read again per change, never the whole list.
    auto rec = d_.store.find_agent(agent);
    if (!rec) {
        d_.log.error("presence not read", {{"username", agent}, {"error", rec.error().message}});
        return rec;
    }
    if (rec.value() && rec.value()->snapshot.state == sb::agent::Presence::Available)
        available_[agent] = rec.value()->snapshot;
    else
        available_.erase(agent);
    auto nodes = d_.store.agent_nodes(agent);
    if (!nodes) {
        d_.log.error("agent's nodes not read", {{"username", agent}, {"error", nodes.error().message}});
        return nodes.error();
    }
    // A node this one has not yet seen alive (it started since the last beat): asked now, so
    // that its agents are routed to at once.
    const std::string& self = d_.store.database().node();
    if (std::any_of(nodes.value().begin(), nodes.value().end(),
                    [&](const std::string& n) { return n != self && !live_nodes_.count(n); }))
        read_live_nodes();
    if (nodes.value().empty()) links_.erase(agent);
    else links_[agent] = std::move(nodes.value());
    return rec;
}

void ContactService::on_presence_changed(const std::string& agent) {
    auto rec = reread_presence(agent);
    if (rec && rec.value() && rec.value()->snapshot.state != sb::agent::Presence::Available) {
        // Offers go back to the front of their queues; active contacts stay to be finished.
        std::vector<ContactRecord> offered;
        for (const auto& [id, c] : open_)
            if (c.agent == agent && c.state == ContactState::Offered) offered.push_back(c);
        for (const ContactRecord& c : offered) {
            if (auto st = return_to_queue(c, "revoked", false); !st)
                d_.log.error("revoking an offer failed", {{"contact", c.id}, {"error", st.error().message}});
        }
    }
    route();
}

void ContactService::on_agent_connected(const std::string& agent) {
    link_here(agent, true);
    route();
}

void ContactService::timer_failed(const char* what, const std::string& contact, const sb::Error& error) {
    // Every node runs every contact's timers; the first to store the outcome wins and the others
    // find their copy behind (wrong_state, stale_or): no failure, and each timer acts once.
    if (error.code == code::wrong_state) d_.log.info("timer done by another node", {{"contact", contact}});
    else d_.log.error(what, {{"contact", contact}, {"error", error.message}});
}

void ContactService::tick() {
    int64_t now = d_.now();
    std::vector<ContactRecord> missed, acw_over, abandoned, untargeted;
    std::vector<ContactRecord> calls_over;
    for (const auto& [id, c] : open_) {
        if (is_ringing_call(c)) {
            // Kamailio asks again when an offer fails; this is only the backstop.
            auto deadline = call_deadline_.try_emplace(id, now + config_.offer_timeout_ms + kCallBackstopMs).first;
            if (deadline->second <= now) calls_over.push_back(c);
            continue;
        }
        if (c.state == ContactState::Offered && c.offer_expires_at && *c.offer_expires_at <= now) missed.push_back(c);
        if (c.state == ContactState::WrapUp && c.acw_expires_at && *c.acw_expires_at <= now) acw_over.push_back(c);
        auto since = acd_.queued_since(id);
        if (c.state != ContactState::Queued || !since) continue;
        if (now - *since >= config_.queue_max_wait_ms) abandoned.push_back(c);
        else if (c.target_agent && now - *since >= config_.transfer_wait_ms) untargeted.push_back(c);
    }
    for (const ContactRecord& c : calls_over) {
        d_.log.info("call not routed again in time; given up", {{"contact", c.id}, {"queue", c.queue}});
        if (auto st = give_up(c, Sender::System); !st)
            timer_failed("giving up a call failed", c.id, st.error());
    }
    for (const ContactRecord& c : abandoned) {
        d_.log.info("nobody took the contact in time", {{"contact", c.id}, {"queue", c.queue}});
        if (auto st = give_up(c, Sender::System); !st)
            timer_failed("closing an unanswered contact failed", c.id, st.error());
    }
    for (ContactRecord next : untargeted) {
        // The named agent did not take it: anyone in its queue may (the transfer note stays).
        d_.log.info("transfer to agent timed out; the queue takes over",
                    {{"contact", next.id}, {"agent", *next.target_agent}, {"queue", next.queue}});
        next.target_agent.reset();
        if (auto st = save(next); !st)
            timer_failed("returning a transfer to its queue failed", next.id, st.error());
    }
    for (const ContactRecord& c : missed) {
        auto it = open_.find(c.id);
        if (it == open_.end() || it->second.state != ContactState::Offered) continue;  // changed meanwhile
        std::string agent = *c.agent;
        d_.log.info("offer missed", {{"contact", c.id}, {"agent", agent}});
        if (auto st = return_to_queue(it->second, "missed", true); !st) {
            timer_failed("returning a missed offer failed", c.id, st.error());
            continue;
        }
        if (agents_) agents_->missed_offer(agent);
    }
    for (const ContactRecord& c : acw_over) {
        d_.log.info("after-contact work timed out", {{"contact", c.id}});
        if (auto st = close_after_work(c, std::nullopt, c.notes, c.tags); !st)
            timer_failed("closing after ACW failed", c.id, st.error());
    }
    route(false);  // the periodic pass: nothing changed that it did not see (an offer it makes does)
    // Every change since the last tick at once: each telling sorts every queue, so it is done at
    // most five times a second, not once per chat that starts (a thousand waiting made that
    // quadratic), and a customer hears of a change within a tick.
    if (positions_due_) {
        positions_due_ = false;
        notify_queue_positions();
    }
}

// ---- internals ----------------------------------------------------------------------------------
// A contact's state changes only here (save and close): a move its lifecycle's table does not
// have (contact/lifecycle.h) is refused before anything is stored. A new contact starts queued,
// or active when an agent dials it.
Status ContactService::check_move(const ContactRecord& next) const {
    auto it = open_.find(next.id);
    if (it == open_.end()) {
        if (next.state == ContactState::Queued || next.state == ContactState::Active) return Ok{};
        return make_error("invalid_transition", "a new contact cannot start " + std::string(to_string(next.state)));
    }
    if (it->second.state == next.state) return Ok{};
    ContactState state = it->second.state;
    auto moved = sb::contact::move(state, next.state);
    if (!moved) d_.log.error("refused a contact's move", {{"contact", next.id}, {"error", moved.error().message}});
    return moved;
}

Status ContactService::save(const ContactRecord& next) { return store_and_keep(next, std::nullopt); }

Status ContactService::offer(const ContactRecord& next, int capacity) { return store_and_keep(next, capacity); }

sb::Result<int64_t> ContactService::store_offer(const ContactRecord& row, int capacity) {
    // What this node knows of the agent's last offer: another node's since means its routing
    // chose on old news (the feed has not brought it yet); it learns the time and chooses again.
    const std::string& agent = *row.agent;
    const int64_t known = acd_.last_busy(agent);
    const int64_t now = d_.now();  // (stored as the agent's last offer, and remembered as the same)
    int64_t newer = 0;
    auto version = d_.contacts.offer_contact(row, capacity, now, known, &newer);
    if (version) acd_.busy(agent, std::max(known, now));
    else if (version.error().code == kAgentOfferedSince) acd_.busy(agent, std::max(known, newer));
    return version;
}

Status ContactService::store_and_keep(const ContactRecord& next, const std::optional<int>& capacity) {
    if (next.state == ContactState::Closed) return make_error("invalid_transition", "a contact is closed by close()");
    if (auto st = check_move(next); !st) return st;
    ContactRecord row = next;
    row.version = stored_version(next);
    auto version = capacity ? store_offer(row, *capacity) : d_.contacts.save_contact(row);
    if (!version && (version.error().code == kAgentTaken || version.error().code == kAgentOfferedSince))
        return version.error();
    if (!version) return stale_or(version.error(), next.id);
    row.version = version.value();
    open_[next.id] = row;
    acd_.saved(row, d_.now());
    if (!is_ringing_call(row)) call_deadline_.erase(row.id);
    for (auto& hook : change_hooks_) hook(row, true);
    return Ok{};
}

int64_t ContactService::stored_version(const ContactRecord& next) const {
    // Memory holds what this node last stored or read; a caller's copy may be from before that.
    auto it = open_.find(next.id);
    return it != open_.end() ? it->second.version : next.version;
}

sb::Error ContactService::stale_or(const sb::Error& error, const std::string& id) {
    if (error.code != kStaleContact) return error;
    // Another node changed the contact: this one's copy is replaced by the row (or let go, if the
    // contact closed), and the request that met it is answered as its new state would have it.
    auto fresh = d_.contacts.find_contact(id);
    if (!fresh) return fresh.error();
    take_row(id, fresh.value());
    d_.log.info("contact changed elsewhere", {{"contact", id}});
    return make_error(code::wrong_state, "The contact changed meanwhile; look at it again.");
}

void ContactService::forget_open(const std::string& id) {
    open_.erase(id);
    acd_.closed(id);
    call_deadline_.erase(id);
    customer_typing_.erase(id);
}

Status ContactService::close(const ContactRecord& next) {
    if (next.state != ContactState::Closed) return make_error("invalid_transition", "close() closes a contact");
    if (auto st = check_move(next); !st) return st;
    ContactRecord row = next;
    row.version = stored_version(next);
    if (auto st = d_.contacts.close_contact(row); !st) return stale_or(st.error(), next.id);
    forget_open(next.id);
    for (auto& hook : change_hooks_) hook(next, true);
    return Ok{};
}

Status ContactService::return_to_queue(const ContactRecord& c, const std::string& reason, bool declined) {
    ContactRecord next = c;
    std::string agent = c.agent.value_or("");
    next.state = ContactState::Queued;
    next.agent.reset();
    next.offer_expires_at.reset();
    next.target_agent.reset();  // a named agent who said no: the queue takes over
    next.rank = acd_.front_rank(open_, c.queue, c.rank);
    if (auto st = save(next); !st) return st;
    if (declined && !agent.empty()) acd_.declined(c.id, agent);
    customer_typing_.erase(c.id);
    acd_.busy(agent, d_.now());
    if (!agent.empty()) emit(agent, "contact.ended", {{"contact", c.id}, {"reason", reason}});
    return Ok{};
}

Status ContactService::close_after_work(const ContactRecord& c, const std::optional<std::string>& disposition,
                                        const std::string& notes, const json& tags) {
    ContactRecord next = c;
    next.state = ContactState::Closed;
    next.closed_at = d_.now();
    next.acw_expires_at.reset();
    next.disposition = disposition;
    next.notes = notes;
    next.tags = tags;
    if (auto st = close(next); !st) return st;
    if (c.agent) {
        acd_.busy(*c.agent, d_.now());
        emit(*c.agent, "contact.ended", {{"contact", c.id}, {"reason", "closed"}});
    }
    d_.log.info("contact closed", {{"contact", c.id}, {"disposition", disposition.value_or("")}});
    route();
    return Ok{};
}

sb::Result<MessageRecord> ContactService::add_message(const ContactRecord& c, Sender from,
                                                      const std::string& text, const std::optional<std::string>& agent,
                                                      const std::optional<std::string>& client_id,
                                                      MessageStatus status) {
    // The message, its seq and the agent's event of it are one transaction, and the event is sent
    // once it is committed: a crash between them would leave a stored message no desk hears of.
    Transaction tx(d_.store.database());
    if (!tx.begun()) return tx.begun().error();
    auto seq = d_.contacts.next_message_seq(c.id);
    if (!seq) return seq.error();
    MessageRecord m;
    m.id = "m-" + d_.random_id();
    m.contact = c.id;
    m.seq = seq.value();
    m.from = from;
    // Every message (customer's, agent's, system's; chat and SMS) is masked here, before it is
    // stored, sent to the agent or the customer, or queued for the SMS provider (docs/security.md).
    m.text = sb::contact::mask_card_numbers(text);
    m.at = d_.now();
    m.agent = agent;
    m.status = status;
    if (c.channel == Channel::Sms) m.segments = sms_segment_count(m.text);
    m.client_id = client_id;
    if (agents_) agents_->hold_events();
    auto stored = [&]() -> sb::Status {
        // An agent's (or the system's) SMS is also queued for the provider in the same transaction.
        bool outbound_sms = c.channel == Channel::Sms && from != Sender::Customer;
        if (auto st = outbound_sms ? d_.contacts.add_outbound_sms(m) : d_.contacts.add_message(m); !st) return st;
        if (c.agent && c.state != ContactState::Queued && c.state != ContactState::Closed)
            emit(*c.agent, "contact.message", {{"contact", c.id}, {"message", message_json(m)}});
        return tx.commit();
    }();
    if (agents_) agents_->release_events(static_cast<bool>(stored));
    if (!stored) return stored.error();
    return m;
}

void ContactService::emit(const std::string& agent, const std::string& event, const json& data) {
    if (agents_) agents_->contact_event(agent, event, data);
}

void ContactService::emit_contact(const ContactRecord& c, const std::string& event) {
    if (!c.agent) return;
    auto j = contact_json(c);
    if (!j) {
        d_.log.error("contact json failed", {{"contact", c.id}, {"error", j.error().message}});
        return;
    }
    emit(*c.agent, event, j.value());
}

void ContactService::route(bool changed) {
    // Where the waiting customers stand is told on the next tick (tick()).
    if (changed) positions_due_ = true;
    if (routing_now_) {  // a presence change caused by routing (a miss) asks again: finish this pass first
        route_again_ = true;
        return;
    }
    routing_now_ = true;
    std::set<std::string> taken;  // agents the store said have no room now (not offered to again in this call)
    int replans = 0;
    do {
        route_again_ = false;
        // A pass that learned of a newer offer to an agent it chose plans again (a few times at
        // most: it learns something each time).
        if (route_once(taken) && replans++ < 3) route_again_ = true;
    } while (route_again_);
    routing_now_ = false;
}

bool ContactService::route_once(std::set<std::string>& taken) {
    if (!agents_) return false;
    // Nothing waiting (the common case: an agent's presence changes on a quiet floor): no pass.
    const bool any_waiting = std::any_of(open_.begin(), open_.end(), [](const auto& entry) {
        return entry.second.state == ContactState::Queued && !is_ringing_call(entry.second);
    });
    if (!any_waiting) return false;
    // Then the agents (from memory): with nobody available (a backlog, a flood of new chats) a pass
    // costs next to nothing, however many contacts wait; the queue is sorted only for a pass.
    auto agents = routable_agents(false);
    if (!agents) {
        d_.log.error("routing: cannot list agents", {{"error", agents.error().message}});
        return false;
    }
    if (agents.value().empty()) return false;
    std::vector<RoutableContact> contacts = acd_.queued_in_order(
        open_, [this](const ContactRecord& c) { return !is_ringing_call(c) && routes_here(c.id); });
    if (contacts.empty()) return false;
    const bool voice = std::any_of(contacts.begin(), contacts.end(),
                                   [](const RoutableContact& c) { return c.channel == Channel::Voice; });
    if (voice) {
        if (auto st = without_phoneless_voice(agents.value()); !st) {
            d_.log.error("routing: cannot list agents", {{"error", st.error().message}});
            return false;
        }
    }
    int64_t now = d_.now();
    std::map<std::string, std::map<Channel, int>> capacity;
    for (const RoutableAgent& a : agents.value()) capacity[a.username] = a.capacity;
    bool learned = false;
    for (const PlannedOffer& o : plan_offers(contacts, std::move(agents.value()), now)) {
        auto it = open_.find(o.contact);
        if (it == open_.end() || it->second.state != ContactState::Queued || taken.count(o.agent)) continue;
        ContactRecord next = it->second;
        next.state = ContactState::Offered;
        next.agent = o.agent;
        next.offer_expires_at = now + config_.offer_timeout_ms;
        if (auto st = offer(next, capacity[o.agent][next.channel]); !st) {
            // Another node's change to the contact (already read into memory by save()) or to the
            // agent (an offer of its own, a presence change: the feed brings it) is no failure;
            // the contact is routed again when that news arrives, or on the next tick.
            if (st.error().code == kAgentTaken) {
                d_.log.info("agent taken meanwhile", {{"contact", o.contact}, {"agent", o.agent}});
                taken.insert(o.agent);
            } else if (st.error().code == kAgentOfferedSince) {
                learned = true;
            } else if (st.error().code != code::wrong_state) {
                d_.log.error("offer failed", {{"contact", o.contact}, {"error", st.error().message}});
            }
            continue;
        }
        positions_due_ = true;  // those behind it move up (the agent is busy now: store_offer)
        d_.log.info("contact offered", {{"contact", o.contact}, {"agent", o.agent}});
        emit_contact(next, "contact.offered");
    }
    return learned;
}

sb::Result<std::vector<RoutableAgent>> ContactService::routable_agents(bool phones) {
    if (!agents_) return std::vector<RoutableAgent>{};
    // Connections asked once per routing, not once per agent (thousands made it quadratic).
    std::vector<RoutableAgent> agents = acd_.routable_agents(agents_for_acd(), connected_anywhere(), open_);
    if (phones)
        if (auto st = without_phoneless_voice(agents); !st) return st.error();
    return agents;
}

sb::Status ContactService::without_phoneless_voice(std::vector<RoutableAgent>& agents) {
    int64_t now = d_.now();
    for (RoutableAgent& ra : agents) {
        // Calls need a phone: a live session with SIP credentials.
        auto voice = ra.capacity.find(Channel::Voice);
        if (voice == ra.capacity.end() || voice->second <= 0) continue;
        auto sip = d_.store.current_sip_username(ra.username, now);
        if (!sip) return sip.error();
        if (!sip.value()) voice->second = 0;
    }
    return Ok{};
}

std::vector<sb::agent::AgentSnapshot> ContactService::agents_for_acd() {
    if (!agents_) return {};
    std::vector<sb::agent::AgentSnapshot> out;
    out.reserve(available_.size());
    for (const auto& [username, a] : available_) out.push_back(a);
    return out;
}

void ContactService::notify_queue_positions() {
    if (!chat_) return;
    const bool any_chat = std::any_of(open_.begin(), open_.end(), [](const auto& entry) {
        return entry.second.state == ContactState::Queued && entry.second.channel == Channel::Chat;
    });
    if (!any_chat) return;  // (nor are the agents listed)
    for (const Acd::Position& p : acd_.positions_to_tell(open_, agents_for_acd(), config_.handle_time_estimate_s))
        chat_->queued(open_.at(p.contact), p.position, p.wait_s);
}

std::pair<int, int64_t> ContactService::queue_position(const ContactRecord& c) {
    auto position = acd_.queue_position(open_, c, agents_for_acd(), config_.handle_time_estimate_s);
    acd_.told(c.id, position);  // the customer is told this now: the next tick tells only a change
    return position;
}

}  // namespace sbd
