// contact_store.h: the SQLite side of contacts (docs/protocol.md, "Contacts: chat, SMS and voice"):
// queues with their dispositions, agent skills and capacity, the CRM tables (customers,
// accounts, interactions), contacts and their transcripts, canned responses, and the fake SMS
// provider's outbox. Shares the Store's database; every call is a value or an `internal` error.
//
// Sections: records · ContactStore (queues and agents · customers · contacts · messages ·
// canned responses · fake SMS provider)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "contact/lifecycle.h"
#include "server/store/database.h"

namespace sbd {

// The contact's channel and lifecycle are the core's (contact/lifecycle.h), shared with the desk.
using sb::contact::Channel;
using sb::contact::ContactState;
using sb::contact::MessageStatus;
using sb::contact::Sender;

// ---- records ------------------------------------------------------------------------------------
struct Disposition {
    std::string code;
    std::string label;
};

struct QueueRecord {
    std::string code;                  // the queues table's `name` (its key since migration 1)
    std::string name;                  // the label people read
    std::optional<std::string> number; // the SMS number that lands in this queue
    std::string skill;
    bool is_default = false;           // where chats and SMS to an unknown number go
    std::vector<Disposition> dispositions;
};

struct AgentRouting {
    std::set<std::string> skills;
    std::map<Channel, int> capacity;  // contacts at once
};

struct CustomerRecord {
    std::string id;
    std::string first_name, last_name;
    std::optional<std::string> phone, chat_identity, email;
    std::string notes;
};

struct InteractionRecord {
    std::string contact, channel;
    int64_t at = 0;
    std::string queue;
    std::optional<std::string> disposition;
    std::string notes;
    std::optional<std::string> agent;
};

struct ContactRecord {
    std::string id;
    Channel channel = Channel::Chat;
    // Stored only by ContactService::save() and close(), which refuse a move the lifecycle's
    // table (contact/lifecycle.h) does not have.
    ContactState state = ContactState::Queued;
    std::string queue;
    std::string customer;
    std::optional<std::string> agent;  // offered to / working it / last one who did
    int64_t rank = 0;                  // order in its queue while queued: smaller goes first
    int64_t created_at = 0;
    std::optional<int64_t> offer_expires_at, accepted_at, ended_at, acw_expires_at, closed_at;
    std::optional<Sender> ended_by;  // who ended it; the system: nobody answered in time
    std::optional<std::string> transfer_from, transfer_note, target_agent;
    std::optional<std::string> disposition;
    std::string notes;
    nlohmann::json tags = nlohmann::json::array();
    std::optional<std::string> customer_address;  // SMS and voice: the customer's E.164 number
    std::optional<std::string> service_address;   // SMS: our number they wrote to; voice: the queue number
    std::optional<std::string> chat_token_hash;   // chat: hash of the customer's resume token
    std::optional<std::string> call_direction;    // voice: inbound | outbound
    bool callback = false;                        // voice: nobody could take the call; call them back
    // chat: the customer on file whose email the customer typed (a claim, never a link): the
    // contact's verification runs against them, and a verified contact is moved to them
    // (docs/verification.md, "Claims"). Until then `customer` is the chat's own new record.
    std::optional<std::string> claimed_customer;
    // The row's version as read (raised by every save); 0: not stored yet (save_contact inserts).
    int64_t version = 0;
};

// Whose identity a contact's verification checks: the claimed customer while there is one.
inline const std::string& verification_subject(const ContactRecord& c) {
    return c.claimed_customer ? *c.claimed_customer : c.customer;
}

struct MessageRecord {
    std::string id;
    std::string contact;
    int64_t seq = 0;      // order within the contact
    Sender from = Sender::Customer;
    std::string text;
    int64_t at = 0;
    std::optional<std::string> agent;
    // Moved only by ContactService through the shared message table (contact/lifecycle.h).
    MessageStatus status = MessageStatus::Sent;
    std::optional<int64_t> segments;
    std::optional<std::string> client_id;
};

struct CannedResponse {
    std::string id, title, text;
};

// ---- ContactStore -------------------------------------------------------------------------------
// save_contact's error when the row is no longer at the version the caller read.
inline constexpr const char* kStaleContact = "stale_contact";
// offer_contact's errors: the agent is no longer available or has no room for it; another node
// offered them something after the last offer the caller knew of (longest idle first: the
// caller learns of it and chooses again).
inline constexpr const char* kAgentTaken = "agent_taken";
inline constexpr const char* kAgentOfferedSince = "agent_offered_since";

class ContactStore {
public:
    explicit ContactStore(Database& db) : db_(db) {}

    // queues and agents
    sb::Result<std::vector<QueueRecord>> queues();
    sb::Result<std::map<std::string, AgentRouting>> agent_routing();  // every agent, defaults filled

    // customers
    sb::Result<std::optional<CustomerRecord>> find_customer(const std::string& id);
    sb::Result<std::optional<CustomerRecord>> find_customer_by_phone(const std::string& e164);
    // The customer on file a chat's typed email names (a claim to verify, never a link).
    sb::Result<std::optional<CustomerRecord>> find_claimed_customer(const std::string& email);
    // Sets what is given of the customer's address and postcode (none: left as it is).
    sb::Status update_customer_address(const std::string& id, const std::optional<std::string>& address,
                                       const std::optional<std::string>& postcode);
    sb::Status save_customer(const CustomerRecord& c, int64_t now);  // insert or update
    sb::Result<std::vector<InteractionRecord>> history(const std::string& customer);  // newest first

    // contacts
    // Inserts the contact (version 0) or replaces the whole row if it is still at c.version;
    // returns the version stored. A row saved meanwhile (by another node) is the error
    // kStaleContact and nothing changes: the caller reads the contact again.
    sb::Result<int64_t> save_contact(const ContactRecord& c);
    // An offer: saves `c` (as save_contact) only if its agent is still available, was last
    // offered something no later than `known_last_offer` (what the caller's routing knew), and
    // has fewer than `capacity` contacts of its channel offered, active or in wrap-up, all in one
    // transaction that holds the agent's row (last_offer_at = now): two nodes offering to one
    // agent at once are taken one after the other, and the second sees the first's offer.
    // Otherwise kAgentTaken, kAgentOfferedSince (with `*offered_at`, the newer offer's time) or
    // kStaleContact, and nothing changes.
    sb::Result<int64_t> offer_contact(const ContactRecord& c, int capacity, int64_t now, int64_t known_last_offer = 0,
                                      int64_t* offered_at = nullptr);
    // Each agent's last offer (agents.last_offer_at), for the ACD's idle times at load.
    sb::Result<std::map<std::string, int64_t>> last_offers();
    // Saves a closed contact (as save_contact) and its interaction (the customer's history) together.
    sb::Status close_contact(const ContactRecord& c);
    sb::Result<std::optional<ContactRecord>> find_contact(const std::string& id);
    sb::Result<std::optional<ContactRecord>> find_contact_by_token_hash(const std::string& hash);
    // A queue call's SIP Call-ID for `contact` (migration 19), unless it is already another
    // contact's that is not closed: the contact the Call-ID belongs to. On PostgreSQL a claim made meanwhile by
    // another node's transaction is waited for. forget_call_ids: those made before `before`.
    sb::Result<std::string> claim_call_id(const std::string& call_id, const std::string& contact, int64_t now);
    sb::Status forget_call_ids(int64_t before);
    sb::Result<std::vector<ContactRecord>> open_contacts();  // every contact not closed

    // messages
    sb::Status add_message(const MessageRecord& m);
    sb::Result<std::optional<MessageRecord>> find_message(const std::string& id);
    sb::Result<std::optional<MessageRecord>> find_message_by_client_id(const std::string& contact,
                                                                      Sender from,
                                                                      const std::string& client_id);
    sb::Result<std::vector<MessageRecord>> messages(const std::string& contact);
    // At most `limit` messages with a seq above `after_seq`, in seq order (get_messages).
    sb::Result<std::vector<MessageRecord>> messages_after(const std::string& contact, int64_t after_seq, int64_t limit);
    // The contact's newest message (its seq is how many it has), or none.
    sb::Result<std::optional<MessageRecord>> last_message(const std::string& contact);
    // The contact's next message seq, taken (inside the caller's transaction, which it holds
    // the contact's row for).
    sb::Result<int64_t> next_message_seq(const std::string& contact);
    sb::Status set_message_status(const std::string& id, MessageStatus status);

    // outbound SMS not yet settled with the provider (kill -9 safe: sending resumes at start)
    struct PendingSms {
        std::string message, from, to, body;
    };
    // The message and its pending-send row, in one transaction.
    sb::Status add_outbound_sms(const MessageRecord& m);
    // The provider's verdict: the message's status, and it is no longer pending.
    sb::Status settle_sms(const std::string& id, MessageStatus status);
    sb::Result<std::vector<PendingSms>> pending_sms();

    // canned responses
    sb::Result<std::vector<CannedResponse>> canned_responses();

    // fake SMS provider
    sb::Result<int64_t> record_provider_sms(const std::string& from, const std::string& to, const std::string& body,
                                            int64_t now);
    sb::Result<nlohmann::json> provider_outbox();

private:
    sb::Result<int64_t> write_contact(const ContactRecord& c);  // save_contact's row, in its transaction
    Database& db_;
};

}  // namespace sbd
