// contact_service.h: chat, SMS and voice contacts in switchboardd, without sockets: the lifecycle of
// docs/protocol.md ("Contacts: chat, SMS and voice"), the ACD (acd.h remembers and answers about
// queues, routing.h decides a pass, this carries out), the customer card, wrap-up, and the
// customers' side (chat page, SMS) as plain calls.
//
// Every change is saved to the store before anyone is told (an event, a reply, an ack); a failed
// save changes nothing and is answered `internal`. Time is the injected clock; tick() is what a
// timer calls to expire offers and after-contact work. The agents' side is reached through
// AgentLink (DeskService), the customers' through CustomerLink (chat service, SMS sender).
//
// Sections: links · ContactConfig · ContactService (load · desk requests · session · customers ·
// SMS · presence and time · internals)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/app/clock.h"
#include "server/app/log.h"
#include "server/contacts/acd.h"
#include "server/contacts/routing.h"
#include "server/store/change_feed.h"
#include "server/store/contact_store.h"
#include "server/store/store.h"
#include "server/verify/verification.h"
#include "util/result.h"

namespace sbd {

class CallRecorder;         // recording.h

// ---- links --------------------------------------------------------------------------------------
class AgentLink {
public:
    virtual ~AgentLink() = default;
    // Records `event` in the agent's log (next seq) and sends it to their connections.
    virtual void contact_event(const std::string& username, const std::string& event, const nlohmann::json& data) = 0;
    virtual bool is_connected(const std::string& username) = 0;
    // Every agent with a logged-in connection: one pass, for routing among many agents.
    virtual std::set<std::string> connected_agents() = 0;
    // The agent missed an offer: not_ready with the system reason "missed".
    virtual void missed_offer(const std::string& username) = 0;
    // Between hold_events() and release_events(committed) events are recorded as they come (in
    // the caller's transaction) but sent only at the release, and only if it committed: no desk
    // hears of an event that a crash or a rollback then undoes, and none misses one whose
    // change (a message) was stored. Holds nest.
    virtual void hold_events() {}
    virtual void release_events(bool committed) {}
};

class CustomerLink {
public:
    virtual ~CustomerLink() = default;
    virtual void queued(const ContactRecord&, int /*position*/, int64_t /*estimated_wait_seconds*/) {}
    virtual void agent_joined(const ContactRecord&, const std::string& /*agent_display_name*/) {}
    virtual void agent_message(const ContactRecord&, const MessageRecord&, const std::string& /*display_name*/) {}
    virtual void agent_typing(const ContactRecord&, bool) {}
    virtual void message_status(const ContactRecord&, const MessageRecord&) {}
    virtual void ended(const ContactRecord&, Sender /*by*/) {}
};

// ---- ContactConfig ------------------------------------------------------------------------------
struct ContactConfig {
    int64_t offer_timeout_ms = 20'000;
    int64_t acw_max_ms = 120'000;
    int64_t queue_max_wait_ms = 1'800'000;  // then the contact is closed as abandoned (by "system")
    int64_t transfer_wait_ms = 60'000;      // a named agent's turn; then the queue takes over
    int64_t handle_time_estimate_s = 90;  // per contact, for the customer's estimated wait
    // A chat's resume token works until this long after the chat ended (docs/chat-protocol.md).
    int64_t chat_token_ttl_ms = 86'400'000;
    std::string default_country = "1";
};

// ---- ContactService -----------------------------------------------------------------------------
// The `wrong_state` error of a request the contact's state does not allow: "The contact is
// queued; this needs it active."
sb::Error wrong_state(const ContactRecord& c, std::string_view wants);

class ContactService {
public:
    // A ringing call Kamailio has not asked about again this long after its offer timeout is
    // given up (its SIP transaction is over by then).
    static constexpr int64_t kCallBackstopMs = 15'000;
    using Reply = sb::Result<nlohmann::json>;
    struct Deps {
        Store& store;
        ContactStore& contacts;
        Logger& log;
        Clock now;
        std::function<std::string()> random_id;  // unguessable, URL-safe
    };
    ContactService(Deps deps, ContactConfig config) : d_(std::move(deps)), config_(std::move(config)) {}

    void set_agent_link(AgentLink* link) { agents_ = link; }
    void set_chat_link(CustomerLink* link) { chat_ = link; }
    void set_sms_link(CustomerLink* link) { sms_ = link; }
    // Customer verification (verification.h); without it every contact counts as verified.
    void set_verification(VerificationService* v) { verification_ = v; }
    // Call recording (recording.h): told which SIP Call-ID carries each voice contact; optional.
    void set_recorder(CallRecorder* r) { recorder_ = r; }
    // Watchers of every contact change (payments, recording): called after the change is stored,
    // with the contact as it now is (state "closed" when it closed) and whether this node made
    // it (`here`; one made elsewhere once this node hears of it: heard()).
    using ChangeHook = std::function<void(const ContactRecord&, bool here)>;
    void add_change_hook(ChangeHook hook) { change_hooks_.push_back(std::move(hook)); }
    // Extra fields of the protocol's contact object (payments add "payment", recording adds
    // "recording"); called by contact_json for every open contact.
    void add_json_decorator(std::function<void(const ContactRecord&, nlohmann::json&)> d) {
        json_decorators_.push_back(std::move(d));
    }
    // Whether `next` may replace the contact as it stands: the same state, a move the contact
    // lifecycle's table has (contact/lifecycle.h), or a new contact starting queued or active.
    // Every save and close asks first; an `invalid_transition` error otherwise.
    sb::Status check_move(const ContactRecord& next) const;
    // An open contact by id (nullptr if none); for services beside this one.
    const ContactRecord* find_open(const std::string& id) const {
        auto it = open_.find(id);
        return it == open_.end() ? nullptr : &it->second;
    }
    // contact.updated to an open contact's agent, as it now stands (a service beside this one
    // changed what the contact object shows, e.g. the customer's cards on file).
    void refresh_contact(const std::string& id) {
        if (auto it = open_.find(id); it != open_.end()) emit_contact(it->second, "contact.updated");
    }
    // Send an event to the contact's agent (for services beside this one).
    void notify_agent(const std::string& agent, const std::string& event, const nlohmann::json& data) {
        emit(agent, event, data);
    }

    // ---- load: the open contacts, queues, skills and capacity from the store ----
    sb::Status load();

    // ---- desk requests (the connection's agent; body already checked against the schema) ----
    Reply accept(const std::string& agent, const std::string& contact);
    Reply reject(const std::string& agent, const std::string& contact);
    Reply send_message(const std::string& agent, const std::string& contact, const std::string& text,
                       const std::string& client_id);
    Reply typing(const std::string& agent, const std::string& contact, bool typing);
    // A page of the transcript of one of the agent's contacts (protocol version 2).
    Reply get_messages(const std::string& agent, const nlohmann::json& body);
    Reply transfer(const std::string& agent, const nlohmann::json& body);
    // A voice contact's transfer: recorded until the caller's new call arrives (contact_voice.cpp).
    Reply voice_transfer(const std::string& agent, const ContactRecord& c, const nlohmann::json& body);
    // `by`: the agent, or the customer (voice: the agent's phone saw the customer hang up).
    Reply end(const std::string& agent, const std::string& contact, Sender by = Sender::Agent);
    // An outbound call: a new voice contact for a number, or an accepted callback (contact_voice.cpp).
    Reply dial(const std::string& agent, const nlohmann::json& body);
    Reply wrap_up(const std::string& agent, const nlohmann::json& body);
    Reply update_customer(const std::string& agent, const nlohmann::json& body);
    // Customer verification (verification.cpp; docs/verification.md): the checklist, an answer,
    // an SMS code to the number on file.
    Reply verify(const std::string& agent, const std::string& contact);
    // `checked`: the security phrase's check, made on a worker (verify_answer_check says which,
    // if any: nullopt when verify_answer has nothing slow to do and can answer at once).
    Reply verify_answer(const std::string& agent, const nlohmann::json& body,
                        const VerificationService::PhraseCheck* checked = nullptr);
    std::optional<VerificationService::PhraseCheck> verify_answer_check(const std::string& agent,
                                                                        const nlohmann::json& body);
    Reply verify_send_code(const std::string& agent, const std::string& contact);
    // For every sensitive action (a change of address or of the channels codes go to, payments,
    // refunds): the contact the request names (the agent's own) is verified, or the error
    // verification_required. Never another contact of the agent's with the same customer.
    sb::Status require_verified(const ContactRecord& contact);

    // ---- session: contacts, queues, canned_responses, agents for a login/resume reply ----
    Reply session_parts(const std::string& agent);

    // ---- customers: chat ----
    struct StartedChat {
        ContactRecord contact;
        std::string token;  // the customer's resume token (only its hash is stored)
    };
    sb::Result<StartedChat> start_chat(const std::string& name, const std::optional<std::string>& email);
    sb::Result<ContactRecord> find_chat(const std::string& token);
    sb::Result<MessageRecord> customer_message(const std::string& contact, const std::string& text,
                                               const std::optional<std::string>& client_id);
    sb::Status customer_typing(const std::string& contact, bool typing);
    sb::Status customer_end(const std::string& contact);
    sb::Status chat_delivered(const std::string& contact, const std::string& message);
    sb::Result<std::vector<MessageRecord>> transcript(const std::string& contact);
    std::string agent_display_name(const std::string& username);
    // Where a queued contact stands: position (1 = next) and estimated wait in seconds.
    std::pair<int, int64_t> queue_position(const ContactRecord& c);
    // The ACD's memory and its questions about queues (acd.h), for services beside this one.
    const Acd& acd() const { return acd_; }

    // ---- customers: SMS ----
    struct InboundSms {
        ContactRecord contact;
        MessageRecord message;
    };
    // `from` and `to` as the gateway sent them; `gateway_id` (e.g. MessageSid) makes a retried
    // webhook a no-op.
    sb::Result<InboundSms> sms_inbound(const std::string& from, const std::string& to, const std::string& body,
                                       const std::optional<std::string>& gateway_id);
    // The SMS sender's verdict on an agent's message: sent (taken by the provider) or failed.
    void sms_status(const std::string& message, MessageStatus status);

    // ---- telephony: queue calls (contact_voice.cpp; docs/telephony.md, "Queue calls") ----
    struct CallRoute {
        bool busy = false;      // nobody can take it: the contact is now a callback, queued
        std::string sip_user;   // else: the chosen agent's current digest username
        std::string contact;
    };
    // Kamailio asks who takes a call to a queue number. `previous`: this call's contact, whose
    // last offer failed with SIP `status` (408/480/404 missed, 486/603 and others rejected).
    // Errors: unknown_queue (the number), unknown_contact, wrong_state, bad_message.
    // `transfer`: the contact a transferred caller's Request-URI names (;sb_contact=).
    sb::Result<CallRoute> call_route(const std::string& call_id, const std::string& from, const std::string& from_name,
                                     const std::string& number, const std::optional<std::string>& previous,
                                     int status, const std::optional<std::string>& transfer = std::nullopt);
    // The caller hung up before anyone answered.
    sb::Status call_abandoned(const std::string& contact);
    struct OutboundCall {
        std::string caller_id;  // the queue's number
        std::string number;     // the customer's E.164 number
    };
    // May this SIP user's INVITE for this contact go out through the trunk?
    // call_id: the SIP Call-ID of the agent's INVITE (recorded; may be empty).
    sb::Result<OutboundCall> call_outbound(const std::string& contact, const std::string& sip_user,
                                           const std::string& call_id = "");

    // ---- other nodes (several switchboardd on one PostgreSQL; change_feed.h) ----
    // What the change feed brought: each thing read once however often it was announced, and
    // everything first when `resync` (the feed was down).
    void heard(const std::vector<Change>& changes, bool resync);
    // Another node changed this contact: the copy in memory takes the row (or lets the contact
    // go, if it closed), and a waiting contact is routed (to any live node's agents).
    void changed_elsewhere(const std::string& id);
    // Another node changed this agent's presence: who is available, as the store says.
    void presence_elsewhere(const std::string& agent);
    // Another node stored this message: an agent's (or the system's) reaches the chat customer
    // if their page is connected to this node.
    void message_elsewhere(const std::string& id);
    // The feed was down (changes may have been missed): every open contact and available agent
    // read again.
    sb::Status resync();
    // Whether this node routes this waiting contact: one live node does (by a hash of its id
    // over the live nodes in order), every node alike when it is the only one it knows alive.
    bool routes_here(const std::string& contact) const;

    // ---- presence and time ----
    void on_presence_changed(const std::string& agent);
    // The agent's first desk on this node logged in: linked to this node in the store (so every
    // node may route to them) and routed to.
    void on_agent_connected(const std::string& agent);
    // Once a second: this node says it is alive, learns which nodes are (an agent counts as
    // connected while a live node has them linked), and its links follow its connections (a desk
    // that closed, logged out or was revoked since). Nodes long gone are forgotten.
    void beat();
    // A clean stop: this node and its links leave the store at once (a killed node's are ignored
    // once it is not seen for Store::kNodeLostMs).
    void leave();
    // Expire offers, after-contact work, waits in a queue and transfers to a named agent; route;
    // tell the waiting chat customers where they now stand, if anything changed since the last tick.
    void tick();

    // The protocol's contact object.
    sb::Result<nlohmann::json> contact_json(const ContactRecord& c);

private:
    // ---- internals ----
    sb::Result<ContactRecord> own(const std::string& agent, const std::string& contact);
    // A contact's state changes only through these two, which refuse a move the lifecycle's
    // table does not have (check_move).
    sb::Status save(const ContactRecord& next);       // store, then memory
    // A new queue call's contact, made in one transaction with its Call-ID's claim; or the
    // contact another question about that Call-ID made first (`*asked_before`; contact_voice.cpp).
    static constexpr int64_t kCallIdKeptMs = 24LL * 3600 * 1000;  // (call_ids, migration 19)
    std::optional<sb::Result<CallRoute>> same_answer(const ContactRecord& call);
    sb::Result<ContactRecord> new_call(const std::string& call_id, const std::string& from,
                                       const std::string& from_name, const QueueRecord& queue, bool* asked_before);
    // An offer (route_once): save() through ContactStore::offer_contact, which holds the agent
    // and counts their contacts against `capacity` in the store; kAgentTaken if they have no room.
    sb::Status offer(const ContactRecord& next, int capacity);
    sb::Status store_and_keep(const ContactRecord& next, const std::optional<int>& capacity);
    sb::Result<int64_t> store_offer(const ContactRecord& row, int capacity);
    sb::Status close(const ContactRecord& next);      // store with its interaction, then forget
    // Both store over the version memory holds (stored_version): if another node saved the
    // contact since, nothing is stored, memory takes the row as it now is, and the error is
    // wrong_state (stale_or).
    int64_t stored_version(const ContactRecord& next) const;
    sb::Error stale_or(const sb::Error& error, const std::string& id);
    void forget_open(const std::string& id);  // out of memory: open_, the ACD, deadlines, typing
    // Memory takes the contact as the store has it (a row read after another node changed it):
    // kept if open, forgotten if closed or gone. Returns whether it is open.
    bool take_row(const std::string& id, const std::optional<ContactRecord>& row);
    void timer_failed(const char* what, const std::string& contact, const sb::Error& error);
    // A chat customer connected here hears what another node did to their contact (an agent
    // joined, the chat ended), as the node that did it would have told them.
    void tell_chat_customer(const std::optional<ContactRecord>& before, const ContactRecord& now);
    sb::Status return_to_queue(const ContactRecord& c, const std::string& reason, bool declined);
    // Close a contact nobody answered (queued or ringing): `by` the customer or the system.
    sb::Status give_up(const ContactRecord& c, Sender by, const std::string& ended_reason = "revoked");
    sb::Status close_after_work(const ContactRecord& c, const std::optional<std::string>& disposition,
                                const std::string& notes, const nlohmann::json& tags);
    sb::Result<MessageRecord> add_message(const ContactRecord& c, Sender from, const std::string& text,
                                          const std::optional<std::string>& agent,
                                          const std::optional<std::string>& client_id, MessageStatus status);
    void emit(const std::string& agent, const std::string& event, const nlohmann::json& data);
    void emit_contact(const ContactRecord& c, const std::string& event);  // contact.updated / .offered
    // Moves a stored message's status through the shared table (a move it lacks is refused and
    // nothing is stored); then its agent is told. Staying put is a no-op.
    sb::Status move_message(const MessageRecord& m, MessageStatus to);
    void message_changed(const MessageRecord& m);
    CustomerLink* link_for(const ContactRecord& c) {
        return c.channel == Channel::Chat ? chat_ : c.channel == Channel::Sms ? sms_ : nullptr;  // voice: none
    }
    // A voice call ringing through Kamailio: inbound, not (yet) a callback. It is never routed
    // by route(): Kamailio asks for each agent (call_route).
    static bool is_ringing_call(const ContactRecord& c) {
        return c.channel == Channel::Voice && !c.callback && c.call_direction.value_or("") == "inbound" &&
               (c.state == ContactState::Queued || c.state == ContactState::Offered);
    }
    // Agents who may take a contact of `channel` now (available, connected, with room; for
    // voice also SIP credentials), as routing.h wants them.
    // `phones`: check which agents have a phone (a live SIP session) for voice; without a voice
    // contact to route, that check (a query per agent) is skipped and voice capacity left as is.
    sb::Result<std::vector<RoutableAgent>> routable_agents(bool phones = true);
    // Voice capacity zeroed for the agents without a phone (a live session with SIP credentials).
    sb::Status without_phoneless_voice(std::vector<RoutableAgent>& agents);
    // Agents logged in here, or on another live node (links_): those routing may offer to.
    std::set<std::string> connected_anywhere();
    void link_here(const std::string& agent, bool linked);
    bool read_live_nodes();  // live_nodes_ from the store; true if it changed
    bool shares_store() const;  // on PostgreSQL, where other nodes may be
    void announce_typing(Sender who, const std::string& contact, bool typing);  // (feed::typing)
    void typing_elsewhere(const std::string& key);
    // A change another node made moves the ACD's memory as the same change made here would: an
    // offer or a contact leaving its agent makes them busy now; a declined or transferred contact
    // is not offered back to its agent first.
    void acd_heard(const std::optional<ContactRecord>& before, const std::optional<ContactRecord>& now);
    // The available agents, for the ACD's questions (from available_, not the store); empty
    // without an agent link (nobody can take anything).
    std::vector<sb::agent::AgentSnapshot> agents_for_acd();
    sb::Status read_available();  // available_ from the store, whole (load, resync)
    // available_ told of one agent's presence as the store has it; the agent's record.
    sb::Result<std::optional<AgentRecord>> reread_presence(const std::string& agent);
    sb::Result<CustomerRecord> customer_by_phone(const std::string& e164, const std::string& name);
    sb::Status offer_call(ContactRecord c, const std::string& agent);
    // A transferred caller arriving at `queue`'s number: the pending transfer's contact, moved
    // (queued, no agent), with the target agent, if any; nullopt when there is none.
    struct MovedCall {
        ContactRecord contact;
        std::string target_agent;
    };
    sb::Result<std::optional<MovedCall>> claim_transfer(const std::optional<std::string>& contact,
                                                        const std::optional<std::string>& e164,
                                                        const QueueRecord& queue);
    sb::Status make_callback(ContactRecord c);
    const QueueRecord* find_queue(const std::string& code) const { return acd_.find_queue(code); }
    // A routing pass (again, if what it does asks for one). `changed`: called because the queues
    // or the agents changed, so the waiting customers are told where they stand on the next tick.
    void route(bool changed = true);
    // One pass; true if it learned of another node's newer offer to an agent it chose (then
    // route() plans again). `taken`: agents the store found full or away during this route().
    bool route_once(std::set<std::string>& taken);
    void notify_queue_positions();
    sb::Result<nlohmann::json> customer_json(const std::string& customer);
    // With the sensitive section (verification.h), masked unless `unlocked`.
    sb::Result<nlohmann::json> customer_json(const std::string& customer, bool unlocked);
    // verification.cpp
    sb::Result<nlohmann::json> verification_json(const ContactRecord& c);
    sb::Result<bool> unlocked_for(const ContactRecord& c);
    void emit_verification(const std::string& customer);
    sb::Status attach_verified_claim(const std::string& agent, const ContactRecord& c);
    struct SensitiveChange {
        std::vector<std::string> fields;    // address, postcode, email, phone: those in the request
        std::optional<std::string> phone;   // the new phone number (E.164), when `phone` is sent
    };
    // update_customer's sensitive fields: allowed (and checked), or the error to answer.
    sb::Result<SensitiveChange> check_sensitive_change(const CustomerRecord& customer,
                                                       const std::optional<ContactRecord>& named,
                                                       const nlohmann::json& body);
    void audit_customer_change(const std::string& agent, const std::string& customer,
                               const std::optional<ContactRecord>& named, const std::vector<std::string>& fields);
    sb::Status update_sensitive_customer_fields(const std::string& customer, const nlohmann::json& body);

    Deps d_;
    ContactConfig config_;
    AgentLink* agents_ = nullptr;
    CustomerLink* chat_ = nullptr;
    CustomerLink* sms_ = nullptr;
    VerificationService* verification_ = nullptr;
    CallRecorder* recorder_ = nullptr;
    std::vector<ChangeHook> change_hooks_;
    std::vector<std::function<void(const ContactRecord&, nlohmann::json&)>> json_decorators_;

    Acd acd_;  // queues, skills and capacity, who declined what, idle times, waits (acd.h)
    std::map<std::string, ContactRecord> open_;       // every contact not closed, by id
    // Every available agent, as the store has them: read whole by load(), then one agent again on
    // each presence change (on_presence_changed), so a routing pass or a queue position costs no
    // query however many agents there are. (Only available agents can take or predict anything.)
    std::map<std::string, sb::agent::AgentSnapshot> available_;
    // Several nodes: which nodes each agent's desk is logged in on (read with available_), the
    // nodes alive now (beat()), and the agents this node has linked to itself in the store.
    std::map<std::string, std::set<std::string>> links_;
    std::set<std::string> live_nodes_;
    std::set<std::string> linked_here_;
    int beats_ = 0;
    std::set<std::string> customer_typing_;           // contacts whose customer is typing
    // ringing calls -> when the server gives up waiting for Kamailio (offer timeout + 15 s)
    std::map<std::string, int64_t> call_deadline_;
    // voice contacts being transferred -> where to and until when (the caller's new call is awaited)
    struct VoiceTransfer {
        std::string from, queue, agent, note;
        int64_t expires_at = 0;
    };
    std::map<std::string, VoiceTransfer> voice_transfers_;
    bool routing_now_ = false;
    bool route_again_ = false;
    bool positions_due_ = false;  // the queues changed: the waiting customers are told on the next tick
};

// Code points in valid UTF-8.
int64_t utf8_length(std::string_view s);

}  // namespace sbd
