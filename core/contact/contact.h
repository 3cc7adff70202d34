// contact/contact.h: a customer contact (chat, SMS; voice to come) as the desk knows it, and
// what comes with it (its lifecycle is contact/lifecycle.h): the customer and their history, the queue and its dispositions, canned
// responses. Wire forms are docs/protocol.md's "Contacts" objects (contact_json.cpp).
//
// Sections: messages · customer · contact · queue, canned responses, agents
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/json_doc.h"

#include "agent/presence.h"
#include "contact/lifecycle.h"
#include "util/result.h"
#include "verify/verification.h"

namespace sb::contact {

using json = nlohmann::json;

// ---- messages ----------------------------------------------------------------------------------
// (Sender and MessageStatus are in contact/lifecycle.h, shared with the server.)
struct Message {
    std::string id;         // the backend's id; for a pending message, its client_id
    int64_t seq = 0;        // its place in the contact's transcript: 1, 2, 3...; 0 while pending
    Sender from = Sender::Customer;
    std::string text;
    int64_t at_ms = 0;
    std::string agent;      // username, for agent messages
    MessageStatus status = MessageStatus::Sent;
    int segments = 0;       // SMS only
    std::string client_id;  // set on this desk's own messages until acknowledged
};

// ---- customer ----------------------------------------------------------------------------------
struct Interaction {
    std::string contact;
    Channel channel = Channel::Chat;
    int64_t at_ms = 0;
    std::string queue, disposition, notes, agent;
};

// The customer's sensitive section (docs/verification.md): the backend masks it until the
// contact is verified (account numbers as "•••• 1234", no balance, no address or date of birth).
struct Account {
    std::string id, number, plan, status;  // number: masked or in full, as the backend sent it
    std::optional<int64_t> balance_cents;   // none while masked
};
// A card on file as the backend keeps it (docs/payments.md): never the number, only these.
struct PaymentMethod {
    std::string brand, last4, expiry;  // "visa", "1111", "MM/YY"
};
struct Sensitive {
    bool unlocked = false;
    std::vector<Account> accounts;
    std::string date_of_birth, address, postcode;  // empty while masked
    std::vector<PaymentMethod> payment_methods;     // empty while masked
};

struct Customer {
    std::string id, first_name, last_name, phone, chat_identity, email, notes;
    std::vector<Interaction> history;
    std::optional<Sensitive> sensitive;  // absent from a backend without verification

    std::string display_name() const;  // "Dana Whitfield", or the phone / chat identity if unnamed
};

// ---- contact -----------------------------------------------------------------------------------
struct Transfer {
    std::string from;
    std::string note;
};

// A voice contact's call as the backend knows it (docs/protocol.md "Voice contacts"); what the
// phone is doing right now (ringing, held...) is the desk's own (desk::Call).
struct CallInfo {
    std::string direction = "inbound";  // "inbound" or "outbound"
    std::string number;                 // the customer's number, E.164 ("+15551234567")
    bool callback = false;              // the caller got busy and asked to be called back
};

// A card payment on the contact (docs/payments.md): the server's capture and its outcome. The
// card number never comes back; `card` is what was stored (brand, last 4, expiry).
struct Payment {
    std::string id;
    PaymentState state = PaymentState::Capturing;
    int64_t amount = 0;     // minor units (cents)
    std::string currency;   // "USD"
    RecordingState recording = RecordingState::Off;  // the call's recording while the payment is open
    std::optional<PaymentMethod> card;
    std::string error_code, error_message;  // the last refusal (payment_declined, gateway_unavailable...)
    int64_t created_at_ms = 0, updated_at_ms = 0;

    bool open() const { return is_open(state); }
};

struct Contact {
    std::string id;
    Channel channel = Channel::Chat;
    ContactState state = ContactState::Queued;
    std::string queue;
    Customer customer;
    // The transcript as this desk holds it (desk/transcript.cpp): fetched with get_messages,
    // appended from contact.message, in seq order, this desk's unacknowledged messages last.
    std::vector<Message> messages;
    // How many messages the backend's transcript has (protocol version 2 sends this, not the
    // messages): the desk fetches what it lacks.
    int64_t message_count = 0;
    int64_t created_at_ms = 0, offer_expires_at_ms = 0, accepted_at_ms = 0, ended_at_ms = 0, acw_expires_at_ms = 0;
    std::optional<Sender> ended_by;  // who ended it (the system: nobody answered in time); none while live
    std::optional<Transfer> transfer;
    bool customer_typing = false;
    std::optional<CallInfo> call;  // voice contacts
    std::optional<verify::Flow> verification;  // the customer's verification on this contact
    std::optional<Payment> payment;            // the latest payment on this contact
    RecordingState recording = RecordingState::Off;  // voice calls; off for chat and SMS
};

// ---- queues, canned responses, agents ----------------------------------------------------------
struct Disposition {
    std::string code, label;
};
struct Queue {
    std::string code, name, number;
    std::vector<Disposition> dispositions;
};
struct CannedResponse {
    std::string id, title, text;
};
struct AgentSummary {
    std::string username, display_name;
    agent::Presence state = agent::Presence::Offline;
};

// ---- wire forms (contact_decode.cpp; errors: bad_message, naming the field's path) -------------
// `where` names the object in errors: "session.contacts[2]" gives "session.contacts[2].id must
// be a string". Never throws, whatever the JSON.
// Frames arrive as protocol::JsonDoc (the desk's decoders); the nlohmann forms (the server's
// rows, tests) read the same way, through a JsonDoc of the value's text.
Result<Message> message_from_json(const protocol::JsonValue& j, const std::string& where = "message");
Result<Customer> customer_from_json(const protocol::JsonValue& j, const std::string& where = "customer");
Result<Contact> contact_from_json(const protocol::JsonValue& j, const std::string& where = "contact");
Result<Payment> payment_from_json(const protocol::JsonValue& j, const std::string& where = "payment");
Result<std::vector<Queue>> queues_from_json(const protocol::JsonValue& j);
Result<std::vector<CannedResponse>> canned_responses_from_json(const protocol::JsonValue& j);
Result<std::vector<AgentSummary>> agents_from_json(const protocol::JsonValue& j);
Result<Message> message_from_json(const json& j, const std::string& where = "message");
Result<Customer> customer_from_json(const json& j, const std::string& where = "customer");
Result<Contact> contact_from_json(const json& j, const std::string& where = "contact");
Result<Payment> payment_from_json(const json& j, const std::string& where = "payment");
Result<std::vector<Queue>> queues_from_json(const json& j);
Result<std::vector<CannedResponse>> canned_responses_from_json(const json& j);
Result<std::vector<AgentSummary>> agents_from_json(const json& j);

json to_json(const Message& m);
json to_json(const Customer& c);
json to_json(const Contact& c);
json to_json(const Payment& p);

// Canned response text with {customer.first_name}, {customer.last_name}, {agent.display_name}
// filled in; unknown placeholders stay as they are.
std::string fill_placeholders(std::string_view text, const Customer& customer, std::string_view agent_display_name);

// Longest message a contact accepts: 4,000 characters for chat, 1,600 for SMS (protocol.md).
int max_message_characters(Channel c);

}  // namespace sb::contact
