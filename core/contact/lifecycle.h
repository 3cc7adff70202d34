// contact/lifecycle.h: the lifecycles the desk and switchboardd share, each a named state machine
// with a table of allowed moves: a contact's (docs/protocol.md draws it), a card payment's
// (docs/payments.md) and a call recording's. Their wire names are the protocol's strings;
// nothing else spells them.
//
// Every state change on the server goes through move(), which refuses a move the table does not
// have with an `invalid_transition` error and leaves the state as it was. The desk decodes the
// same enums from the backend's frames and asks the same derived questions (is_open...).
//
// Sections: channel · contact · payment · recording · moves
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
void to_json(nlohmann::json& j, PaymentState s);
void to_json(nlohmann::json& j, RecordingState s);

// ---- moves -----------------------------------------------------------------------------------
// Whether the table has the move `from` → `to` (staying put is not a move).
bool allowed(ContactState from, ContactState to);
bool allowed(PaymentState from, PaymentState to);
bool allowed(RecordingState from, RecordingState to);

// Moves `state` to `to`, or refuses with Error{"invalid_transition", "a contact cannot go from
// closed to active"} and changes nothing.
Status move(ContactState& state, ContactState to);
Status move(PaymentState& state, PaymentState to);
Status move(RecordingState& state, RecordingState to);

}  // namespace sb::contact
