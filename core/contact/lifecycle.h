// contact/lifecycle.h: the lifecycles the desk and switchboardd share, each a named state machine
// with a table of allowed moves: a contact's (docs/protocol.md draws it), a message's delivery, a
// card payment's (docs/payments.md) and a call recording's. Their wire names are the protocol's strings;
// nothing else spells them.
//
// Every state change on the server goes through move(), which refuses a move the table does not
// have with an `invalid_transition` error and leaves the state as it was. The desk decodes the
// same enums from the backend's frames and asks the same derived questions (is_open...).
//
// Sections: channel · contact · message · payment · recording · JSON · moves
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "util/result.h"

namespace sb::contact {

// ---- channel ---------------------------------------------------------------------------------
enum class Channel { Voice, Chat, Sms };
std::string_view to_string(Channel c);                     // "voice" | "chat" | "sms"
std::optional<Channel> parse_channel(std::string_view s);  // none for anything else

// ---- contact: queued → offered → active → wrap_up → closed, and back to the queue -----------
enum class ContactState { Queued, Offered, Active, WrapUp, Closed };
std::string_view to_string(ContactState s);  // "queued" | "offered" | "active" | "wrap_up" | "closed"
std::optional<ContactState> parse_contact_state(std::string_view s);
// Waiting for or talking to an agent: the customer can still write, leave or be answered.
inline bool is_live(ContactState s) { return s == ContactState::Queued || s == ContactState::Offered || s == ContactState::Active; }

// ---- message: pending → sent → delivered, or failed ------------------------------------------
// Who wrote a message, and who ended a contact (the system: nobody answered in time).
enum class Sender { Customer, Agent, System };
std::string_view to_string(Sender s);  // "customer" | "agent" | "system"
std::optional<Sender> parse_sender(std::string_view s);
// Pending exists only on the desk: written by this agent, not yet acknowledged by the backend
// (shown as "sending"). The backend stores a message as sent (the customer's own as delivered);
// a chat message becomes delivered when the customer's page has it, an SMS failed when the
// provider would not take it.
enum class MessageStatus { Pending, Sent, Delivered, Failed };
std::string_view to_string(MessageStatus s);  // "pending" | "sent" | "delivered" | "failed"
std::optional<MessageStatus> parse_message_status(std::string_view s);

// ---- payment: capturing ⇄ authorizing → approved → refunded; or cancelled, expired -----------
enum class PaymentState { Capturing, Authorizing, Approved, Cancelled, Expired, Refunded };
std::string_view to_string(PaymentState s);
std::optional<PaymentState> parse_payment_state(std::string_view s);
// Still taking the card or waiting for the gateway: the recording stays paused.
inline bool is_open(PaymentState s) { return s == PaymentState::Capturing || s == PaymentState::Authorizing; }

// ---- recording: off → on ⇄ (pausing → paused ⇄ resuming); unknown when unanswered -------------
// The recorder's confirmed state as the desk sees it; "unknown": a pause or resume went
// unanswered, so it may or may not have happened (never taken as paused).
enum class RecordingState { Off, On, Pausing, Paused, Resuming, Unknown };
std::string_view to_string(RecordingState s);
std::optional<RecordingState> parse_recording_state(std::string_view s);
// A pause or resume is out: nothing else may be asked of the recorder until it answers.
inline bool in_flight(RecordingState s) { return s == RecordingState::Pausing || s == RecordingState::Resuming; }

// ---- JSON: each enum is its wire name (never the enum's number), wherever it is put in JSON ----
void to_json(nlohmann::json& j, Channel c);
void to_json(nlohmann::json& j, ContactState s);
void to_json(nlohmann::json& j, Sender s);
void to_json(nlohmann::json& j, MessageStatus s);
void to_json(nlohmann::json& j, PaymentState s);
void to_json(nlohmann::json& j, RecordingState s);

// ---- moves -----------------------------------------------------------------------------------
// Whether the table has the move `from` → `to` (staying put is not a move).
bool allowed(ContactState from, ContactState to);
bool allowed(MessageStatus from, MessageStatus to);
bool allowed(PaymentState from, PaymentState to);
bool allowed(RecordingState from, RecordingState to);

// Moves `state` to `to`, or refuses with Error{"invalid_transition", "a contact cannot go from
// closed to active"} and changes nothing.
Status move(ContactState& state, ContactState to);
Status move(MessageStatus& state, MessageStatus to);
Status move(PaymentState& state, PaymentState to);
Status move(RecordingState& state, RecordingState to);

}  // namespace sb::contact
