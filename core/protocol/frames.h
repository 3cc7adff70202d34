// protocol/frames.h: what a backend sends a desk, decoded in one place (docs/protocol.md).
//
// decode_frame() reads one text frame into its envelope: a ReplyFrame or an EventFrame. The
// desk knows which request a reply answers, and reads its result with the decode_*_result
// function for that request (frames_replies.cpp); decode_event() reads an event's data
// (frames.cpp). Each gives a typed value or an Error naming the first field that is wrong; the
// objects inside (contacts, customers, messages, payments, agents, verification) are read by
// their own wire-form readers (contact/contact.h, agent/presence.h, verify/verification.h), all
// on protocol::Fields (reader.h). Nothing here throws, and the desk reads no backend JSON
// anywhere else.
//
// What is refused: a frame that is not a JSON object, nests deeper than kMaxFrameDepth, or has
// a wrong envelope is refused whole (decode_frame fails). A reply whose id can be read but
// nothing else is still a ReplyFrame, marked `refused`: its request fails. A session may leave
// out a part the desk can do without (one contact, the queues, the phone's credentials...): the
// part is dropped and named in Session::refused, and the agent still signs in.
//
// Sections: envelope · replies' results · events
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/presence.h"
#include "protocol/json_doc.h"
#include "contact/contact.h"
#include "util/result.h"
#include "verify/verification.h"

namespace sb::protocol {

using json = nlohmann::json;

// ---- envelope --------------------------------------------------------------------------------------
// Deeper than this, a frame is refused before anything reads it: the deepest legitimate frame
// (a session's contact's customer's accounts) is about 8 levels, and the JS API's own copy of a
// result (CompleteIntent) is serialized recursively.
inline constexpr int kMaxFrameDepth = 32;

// The error an unreadable reply fails its request with; the log says what was wrong.
inline constexpr const char* kUnreadableReplyCode = "bad_reply";
inline constexpr const char* kUnreadableReplyMessage = "The backend sent a reply this desk cannot read.";
Error unreadable_reply();

struct ReplyFrame {
    std::string id;
    bool ok = false;
    JsonDoc result;                        // ok: always an object (result.root())
    Error error;                           // !ok: the backend's error (defaults for what it left out)
    std::optional<int64_t> attempts_left;  // invalid_code: failures left before the lock
    int64_t locked_until_ms = 0;           // account_locked
    std::string refused;                   // not empty: the reply could not be read (why, for the log);
                                           // ok is false and error is unreadable_reply()
};

struct EventFrame {
    int64_t seq = 0;
    std::string name;
    JsonDoc data;  // always an object (data.root())
};

using Frame = std::variant<ReplyFrame, EventFrame>;

// Errors (the frame is refused whole): bad_json (not a JSON object, or too deep), bad_message
// (the envelope: type, id, seq, event).
Result<Frame> decode_frame(std::string_view text);

// ---- replies' results ----------------------------------------------------------------------------------
struct HelloResult {
    int64_t version = 0;
    std::optional<int64_t> now_ms;  // the backend's clock
};

// The phone's credentials (docs/protocol.md "sip"): secrets, never logged.
struct SipCredentials {
    std::string uri, username, password, realm, ws_url;
    friend bool operator==(const SipCredentials&, const SipCredentials&) = default;
};

// One of the agent's sessions (the `sessions` request).
struct SessionSummary {
    std::string id, address;
    int64_t created_at_ms = 0, last_seen_ms = 0, expires_at_ms = 0;
    bool current = false;
};

struct Session {
    std::string token, session_id;
    int64_t expires_at_ms = 0;
    int64_t seq = 0;
    agent::AgentSnapshot agent;
    std::vector<agent::ReasonCode> reason_codes;
    // The parts a desk can do without. Absent from the frame: contacts is empty (the backend has
    // none for the agent), the others are none. Refused: none, and the desk keeps what it had.
    std::optional<std::vector<contact::Contact>> contacts;  // each unreadable contact is left out alone,
    std::vector<std::string> refused_contacts;              // its id here when that much could be read
    std::optional<std::vector<contact::Queue>> queues;
    std::optional<std::vector<contact::CannedResponse>> canned_responses;
    std::optional<std::vector<contact::AgentSummary>> agents;
    std::optional<std::vector<std::string>> recovery_codes;  // after an enrollment, shown once
    enum class Phone { None, Given, Refused } phone = Phone::None;  // None: no telephony
    SipCredentials sip;                                             // Given
    std::vector<Error> refused;  // what was left out, for the log
};

// A login answered with a second factor to prove instead of a session.
struct MfaPrompt {
    std::string step;  // "code" or "enroll"
    std::string challenge;
    int64_t expires_at_ms = 0;
    std::string secret, otpauth;  // enroll
    int qr_size = 0;              // enroll: qr_size * qr_size modules of '0'/'1'; 0 when left out
    std::string qr_modules;
    std::vector<Error> refused;   // the QR code, when it was unreadable
};

Result<HelloResult> decode_hello_result(const JsonValue& result);
// login and mfa: a session or a second factor; resume: a session (a prompt is refused).
Result<std::variant<Session, MfaPrompt>> decode_login_result(const JsonValue& result);
Result<Session> decode_session(const JsonValue& result);
Result<agent::AgentSnapshot> decode_set_state_result(const JsonValue& result);

// The contact requests (accept, end, wrap_up, update_customer, verify*, payment*, refund...):
// each names what it changed; every one present must be readable.
struct ContactResult {
    std::optional<contact::Contact> contact;
    std::optional<verify::Flow> verification;
    std::optional<contact::Payment> payment;
    std::optional<contact::Customer> customer;
};
Result<ContactResult> decode_contact_result(const JsonValue& result);
Result<contact::Message> decode_send_message_result(const JsonValue& result);

// get_messages (version 2): a page of a contact's transcript, oldest first; `more`: the
// transcript goes on after the page's last message.
struct MessagesPage {
    std::vector<contact::Message> messages;
    bool more = false;
};
Result<MessagesPage> decode_get_messages_result(const JsonValue& result);

struct DialResult {
    contact::Contact contact;
    std::string number;  // what the phone calls
};
Result<DialResult> decode_dial_result(const JsonValue& result);

// agents: colleagues found by name, or named by username.
struct AgentsResult {
    std::vector<contact::AgentSummary> agents;
    bool more = false;
};
Result<AgentsResult> decode_agents_result(const JsonValue& result);

// sessions: the list; revoke_session: the ids revoked.
struct SessionsResult {
    std::optional<std::vector<SessionSummary>> sessions;
    std::vector<std::string> revoked;
};
Result<SessionsResult> decode_sessions_result(const JsonValue& result);

// ---- events ----------------------------------------------------------------------------------------------
struct AgentChanged {  // agent.state
    agent::AgentSnapshot agent;
};
struct SessionRevoked {  // session.revoked
    std::string session;
    std::string reason;  // "disabled" when an admin disabled the account; else empty or why
};
struct ContactChanged {  // contact.offered, contact.updated
    bool offered = false;
    contact::Contact contact;
};
struct ContactMessage {
    std::string contact;
    contact::Message message;
};
struct ContactTyping {
    std::string contact;
    bool typing = false;
};
struct ContactEnded {
    std::string contact, reason;
};
struct ContactVerification {
    std::string contact;
    verify::Flow verification;
    std::optional<contact::Customer> customer;  // as this contact may now see it
};
struct ContactRecording {
    std::string contact;
    contact::RecordingState recording = contact::RecordingState::Off;
};
struct ContactPayment {
    std::string contact;
    contact::Payment payment;
};
struct OtherEvent {  // an event this desk does not handle (a newer backend's)
    std::string name;
};
using Event = std::variant<AgentChanged, SessionRevoked, ContactChanged, ContactMessage, ContactTyping, ContactEnded,
                           ContactVerification, ContactRecording, ContactPayment, OtherEvent>;

// Errors: bad_message, naming the field.
Result<Event> decode_event(const EventFrame& frame);

}  // namespace sb::protocol
