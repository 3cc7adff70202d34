// protocol/schema.h: the desk protocol's requests as a table, and their validation.
//
// This table is the core's copy of docs/protocol.schema.json (a unit test checks they agree).
// Both sides use it: switchboardd validates every incoming request with parse_request(); the
// desk validates what it is about to send in its own tests.
//
// Sections: error codes · request table · parse_request
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace sb::protocol {

using json = nlohmann::json;

// The version this core speaks (docs/protocol.md, "Version negotiation"). Version 3: the session
// lists no agents (the `agents` request finds them). Version 2: contact objects carry a summary
// of their transcript, not the transcript (get_messages pages it).
inline constexpr int kVersion = 3;
inline constexpr int kMaxMessagesPage = 200;  // get_messages: at most this many messages a reply
inline constexpr int kMaxAgentsPage = 100;    // agents: at most this many agents a reply
inline constexpr std::size_t kMaxAgentQuery = 64;  // agents: the longest query
inline constexpr std::size_t kMaxFrame = 65536;           // answered with frame_too_large above this
inline constexpr std::size_t kMaxIdLength = 64;

// ---- error codes (docs/protocol.md, "Errors") -------------------------------------------------
namespace code {
inline constexpr const char* bad_json = "bad_json";
inline constexpr const char* bad_message = "bad_message";
inline constexpr const char* unknown_type = "unknown_type";
inline constexpr const char* frame_too_large = "frame_too_large";
inline constexpr const char* hello_required = "hello_required";
inline constexpr const char* unsupported_version = "unsupported_version";
inline constexpr const char* invalid_credentials = "invalid_credentials";
inline constexpr const char* rate_limited = "rate_limited";
inline constexpr const char* already_logged_in = "already_logged_in";
inline constexpr const char* not_logged_in = "not_logged_in";
inline constexpr const char* invalid_token = "invalid_token";
inline constexpr const char* token_expired = "token_expired";
inline constexpr const char* invalid_state = "invalid_state";
inline constexpr const char* invalid_reason = "invalid_reason";
inline constexpr const char* unknown_contact = "unknown_contact";
inline constexpr const char* not_your_contact = "not_your_contact";
inline constexpr const char* wrong_state = "wrong_state";
inline constexpr const char* unknown_queue = "unknown_queue";
inline constexpr const char* unknown_agent = "unknown_agent";
inline constexpr const char* unknown_customer = "unknown_customer";
inline constexpr const char* invalid_disposition = "invalid_disposition";
inline constexpr const char* internal = "internal";
// customer verification (docs/verification.md)
inline constexpr const char* verification_required = "verification_required";
inline constexpr const char* verification_locked = "verification_locked";
inline constexpr const char* unknown_step = "unknown_step";
inline constexpr const char* code_not_sent = "code_not_sent";
inline constexpr const char* code_expired = "code_expired";
inline constexpr const char* forbidden = "forbidden";  // the agent's role does not allow it (audit)
// sign-in's second factor and sessions
inline constexpr const char* invalid_code = "invalid_code";
inline constexpr const char* challenge_expired = "challenge_expired";
inline constexpr const char* account_locked = "account_locked";
inline constexpr const char* unknown_session = "unknown_session";
inline constexpr const char* account_disabled = "account_disabled";  // switchboardd admin disable
}  // namespace code

const std::vector<std::string_view>& error_codes();

// ---- request table ----------------------------------------------------------------------------
enum class FieldType { String, Integer, NonNegativeInteger, IntegerArray, Boolean, StringArray };

struct FieldSpec {
    std::string_view name;
    FieldType type;
    bool required;
};

struct RequestSpec {
    std::string_view type;
    std::vector<FieldSpec> fields;  // besides "type" and "id", which every request has
};

const std::vector<RequestSpec>& request_specs();
const RequestSpec* find_request_spec(std::string_view type);

// ---- parse_request ----------------------------------------------------------------------------
struct Request {
    std::string type;
    std::string id;
    json body;  // the whole object, already checked against the table
};

// What a server answers when parse_request fails: the error, and the request id if it could
// be read (null otherwise).
struct RequestError {
    Error error;
    json id;  // string or null
};

// Validates one text frame as a request: size, JSON, object, id, type, every field's presence
// and type, no unknown fields. Never throws.
Result<Request> parse_request(std::string_view frame, RequestError* detail_out = nullptr);

// A paged request's `limit` (get_messages, agents): `fallback` when absent, else 1 to `max`, or
// bad_message. The schema has checked it is a NonNegativeInteger; one past int64 reads as
// negative and is refused here.
Result<int64_t> page_limit(const json& body, int64_t fallback, int64_t max);

// A page asked of the store with one row more than `limit` (to learn whether there are more):
// the extra row dropped; true when there was one.
template <typename T>
bool trim_page(std::vector<T>& rows, int64_t limit) {
    if (static_cast<int64_t>(rows.size()) <= limit) return false;
    rows.resize(static_cast<std::size_t>(limit));
    return true;
}

// The reply frames, as the server sends them.
json reply_ok(const std::string& id, json result);
json reply_error(const json& id, const Error& error);
json event_frame(int64_t seq, std::string_view event, json data);

// A frame (or any JSON bound for a socket, a log or a store) as text. Never throws: a string
// that is not valid UTF-8 is serialised with U+FFFD in place of its bad bytes. Every path to a
// socket, the event log and the audit log serialises through this, never through dump().
std::string to_text(const json& frame);

}  // namespace sb::protocol
