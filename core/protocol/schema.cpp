#include "protocol/schema.h"

#include <algorithm>

#include "util/text.h"

namespace sb::protocol {

const std::vector<std::string_view>& error_codes() {
    static const std::vector<std::string_view> codes = {
        code::bad_json, code::bad_message, code::unknown_type, code::frame_too_large,
        code::hello_required, code::unsupported_version, code::invalid_credentials,
        code::rate_limited, code::already_logged_in, code::not_logged_in, code::invalid_token,
        code::token_expired, code::invalid_state, code::invalid_reason, code::unknown_contact,
        code::not_your_contact, code::wrong_state, code::unknown_queue, code::unknown_agent,
        code::unknown_customer, code::invalid_disposition, code::internal, code::forbidden,
        code::invalid_code, code::challenge_expired, code::account_locked, code::unknown_session,
        code::verification_required, code::verification_locked, code::unknown_step, code::code_not_sent,
        code::code_expired, code::account_disabled,
        // card payments (docs/payments.md)
        "unknown_payment", "card_invalid", "recording_not_paused", "payments_unavailable"};
    return codes;
}

const std::vector<RequestSpec>& request_specs() {
    using F = FieldType;
    static const std::vector<RequestSpec> specs = {
        {"hello", {{"versions", F::IntegerArray, true}, {"client", F::String, true}}},
        {"login", {{"username", F::String, true}, {"password", F::String, true}}},
        {"resume", {{"token", F::String, true}, {"last_seq", F::NonNegativeInteger, true}}},
        {"set_state", {{"state", F::String, true}, {"reason", F::String, false}}},
        {"get_reason_codes", {}},
        {"logout", {}},
        {"ping", {}},
        // sign-in's second factor (exactly one of code and recovery_code) and the agent's sessions
        {"mfa", {{"challenge", F::String, true}, {"code", F::String, false}, {"recovery_code", F::String, false}}},
        {"sessions", {}},
        {"revoke_session", {{"session", F::String, false}, {"all_others", F::Boolean, false}}},
        // contacts (chat, SMS and voice)
        {"accept", {{"contact", F::String, true}}},
        {"reject", {{"contact", F::String, true}}},
        {"send_message", {{"contact", F::String, true}, {"text", F::String, true}, {"client_id", F::String, true}}},
        {"typing", {{"contact", F::String, true}, {"typing", F::Boolean, true}}},
        // version 2: a page of a contact's transcript, the messages after seq `after`
        {"get_messages", {{"contact", F::String, true}, {"after", F::NonNegativeInteger, false},
                          {"limit", F::NonNegativeInteger, false}}},
        // the agents to transfer to or call, found by name; or the names of agents by username
        {"agents", {{"query", F::String, false}, {"limit", F::NonNegativeInteger, false},
                    {"usernames", F::StringArray, false}}},
        {"transfer", {{"contact", F::String, true}, {"queue", F::String, false}, {"agent", F::String, false},
                      {"note", F::String, true}}},
        {"end", {{"contact", F::String, true}, {"by", F::String, false}}},
        {"wrap_up", {{"contact", F::String, true}, {"disposition", F::String, true}, {"notes", F::String, true},
                     {"tags", F::StringArray, true}}},
        {"update_customer", {{"customer", F::String, true}, {"first_name", F::String, false},
                             {"last_name", F::String, false}, {"email", F::String, false}, {"notes", F::String, false},
                             {"address", F::String, false}, {"postcode", F::String, false},
                             {"phone", F::String, false}, {"contact", F::String, false}}},
        // customer verification (docs/verification.md)
        {"verify", {{"contact", F::String, true}}},
        {"verify_answer", {{"contact", F::String, true}, {"step", F::String, true}, {"answer", F::String, true}}},
        {"verify_send_code", {{"contact", F::String, true}}},
        // card payments (docs/payments.md): amounts in minor units; the card is never stored
        {"payment_start", {{"contact", F::String, true}, {"amount", F::Integer, true}, {"currency", F::String, false}}},
        {"payment_submit", {{"contact", F::String, true}, {"payment", F::String, true}, {"card_number", F::String, true},
                            {"expiry", F::String, true}, {"cvc", F::String, true}}},
        {"payment_cancel", {{"contact", F::String, true}, {"payment", F::String, true}}},
        {"refund", {{"contact", F::String, true}, {"payment", F::String, true}, {"amount", F::Integer, false}}},
        // voice: an outbound call (a number, or an accepted callback contact)
        {"dial", {{"number", F::String, false}, {"queue", F::String, false}, {"contact", F::String, false}}},
        // supervisors: the audit log (docs/security.md)
        {"audit", {{"contact", F::String, false}, {"customer", F::String, false}, {"actor", F::String, false},
                   {"action", F::String, false}, {"since", F::NonNegativeInteger, false},
                   {"until", F::NonNegativeInteger, false}, {"limit", F::NonNegativeInteger, false},
                   {"before_id", F::NonNegativeInteger, false}}},
    };
    return specs;
}

const RequestSpec* find_request_spec(std::string_view type) {
    const auto& specs = request_specs();
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const RequestSpec& s) { return s.type == type; });
    return it == specs.end() ? nullptr : &*it;
}

namespace {

const char* type_name(FieldType t) {
    switch (t) {
        case FieldType::String: return "a string";
        case FieldType::Integer: return "an integer";
        case FieldType::NonNegativeInteger: return "a non-negative integer";
        case FieldType::IntegerArray: return "an array of integers";
        case FieldType::Boolean: return "a boolean";
        case FieldType::StringArray: return "an array of strings";
    }
    return "?";
}

bool has_type(const json& v, FieldType t) {
    switch (t) {
        case FieldType::String: return v.is_string();
        case FieldType::Integer: return v.is_number_integer();
        case FieldType::NonNegativeInteger:
            return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
        case FieldType::IntegerArray:
            return v.is_array() && !v.empty() &&
                   std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); });
        case FieldType::Boolean: return v.is_boolean();
        case FieldType::StringArray:
            return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
    }
    return false;
}

Result<Request> fail(RequestError* out, json id, const char* c, std::string message) {
    Error e = make_error(c, std::move(message));
    if (out) *out = RequestError{e, std::move(id)};
    return e;
}

}  // namespace

Result<Request> parse_request(std::string_view frame, RequestError* out) {
    if (frame.size() > kMaxFrame)
        return fail(out, nullptr, code::frame_too_large,
                    "Frame of " + std::to_string(frame.size()) + " bytes exceeds the limit of " +
                        std::to_string(kMaxFrame) + " bytes.");
    json doc = json::parse(frame.begin(), frame.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail(out, nullptr, code::bad_json, "Frame is not valid JSON (or not UTF-8).");
    if (!doc.is_object()) return fail(out, nullptr, code::bad_json, "Frame must be a JSON object.");

    json id = nullptr;
    auto idv = doc.find("id");
    if (idv == doc.end()) return fail(out, nullptr, code::bad_message, "Field \"id\" is required.");
    if (!idv->is_string() || idv->get_ref<const std::string&>().empty() ||
        idv->get_ref<const std::string&>().size() > kMaxIdLength)
        return fail(out, nullptr, code::bad_message, "Field \"id\" must be a string of 1 to 64 characters.");
    id = *idv;

    auto tv = doc.find("type");
    if (tv == doc.end() || !tv->is_string())
        return fail(out, id, code::bad_message, "Field \"type\" is required and must be a string.");
    const std::string& type = tv->get_ref<const std::string&>();
    const RequestSpec* spec = find_request_spec(type);
    if (!spec) return fail(out, id, code::unknown_type, "Unknown request type \"" + text::quote(type) + "\".");

    for (const FieldSpec& f : spec->fields) {
        auto fv = doc.find(std::string(f.name));
        if (fv == doc.end()) {
            if (f.required)
                return fail(out, id, code::bad_message,
                            "Field \"" + std::string(f.name) + "\" is required for " + type + ".");
            continue;
        }
        if (!has_type(*fv, f.type))
            return fail(out, id, code::bad_message,
                        "Field \"" + std::string(f.name) + "\" must be " + type_name(f.type) + ".");
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const std::string& k = it.key();
        if (k == "type" || k == "id") continue;
        bool known = std::any_of(spec->fields.begin(), spec->fields.end(),
                                 [&](const FieldSpec& f) { return f.name == k; });
        if (!known)
            return fail(out, id, code::bad_message,
                        "Field \"" + text::quote(k) + "\" is not allowed in " + type + ".");
    }
    return Request{type, id.get<std::string>(), std::move(doc)};
}

Result<int64_t> page_limit(const json& body, int64_t fallback, int64_t max) {
    auto it = body.find("limit");
    int64_t limit = it != body.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
    if (limit < 1 || limit > max)
        return make_error(code::bad_message, "limit must be 1 to " + std::to_string(max) + ".");
    return limit;
}

json reply_ok(const std::string& id, json result) {
    return json{{"type", "reply"}, {"id", id}, {"ok", true}, {"result", std::move(result)}};
}

json reply_error(const json& id, const Error& error) {
    json e = {{"code", error.code}, {"message", error.message}};
    if (error.retry_after_ms) e["retry_after_ms"] = *error.retry_after_ms;
    return json{{"type", "reply"}, {"id", id}, {"ok", false}, {"error", std::move(e)}};
}

std::string to_text(const json& frame) { return frame.dump(-1, ' ', false, json::error_handler_t::replace); }

json event_frame(int64_t seq, std::string_view event, json data) {
    return json{{"type", "event"}, {"seq", seq}, {"event", std::string(event)}, {"data", std::move(data)}};
}

}  // namespace sb::protocol
