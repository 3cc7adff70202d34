#include "desk/intent.h"

#include <algorithm>

#include "protocol/schema.h"
#include "util/text.h"

namespace sb::desk {

namespace {
Error bad(std::string message) { return make_error("bad_intent", std::move(message)); }

Result<std::string> string_field(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return bad(std::string("\"") + name + "\" must be a string.");
    return it->get<std::string>();
}
}  // namespace

Result<Intent> intent_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return bad("An intent must be an object with a \"type\".");
    auto type = string_field(j, "type");
    if (!type) return type.error();
    const std::string& t = type.value();
    if (t == "login") {
        auto u = string_field(j, "username");
        if (!u) return u.error();
        auto p = string_field(j, "password");
        if (!p) return p.error();
        return Intent{LoginIntent{u.value(), p.value()}};
    }
    if (t == "set_state") {
        auto s = string_field(j, "state");
        if (!s) return s.error();
        auto presence = agent::parse_presence(s.value());
        if (!presence)
            return make_error("invalid_state", "\"" + s.value().substr(0, 32) +
                                                   "\" is not a state (offline, available, not_ready).");
        SetStateIntent in{*presence, std::nullopt};
        auto r = j.find("reason");
        if (r != j.end() && !r->is_null()) {
            if (!r->is_string()) return bad("\"reason\" must be a string.");
            in.reason = r->get<std::string>();
        }
        return Intent{in};
    }
    if (t == "logout") return Intent{LogoutIntent{}};
    if (t == "mfa" || t == "mfa_done" || t == "sessions" || t == "revoke_session" || t == "find_agents")
        return session_intent_from_json(t, j);
    if (t == "take_phone") return Intent{TakePhoneIntent{}};
    if (t == "payment_start" || t == "payment_submit" || t == "payment_cancel" || t == "refund")
        return payment_intent_from_json(t, j);
    if (t == "set_device" || t == "refresh_devices" || t == "test_ringer") return device_intent_from_json(t, j);
    if (t == "dial" || t == "answer" || t == "hangup" || t == "hold" || t == "resume" || t == "mute" || t == "dtmf")
        return call_intent_from_json(t, j);
    if (t == "transfer" && j.contains("call") && !j.contains("contact")) {  // a call without a contact
        auto ref = call_intent_from_json("hangup", j);
        if (!ref) return ref.error();
        nlohmann::json as_contact = j;
        as_contact["contact"] = "";
        auto in = contact_intent_from_json(t, as_contact);
        if (!in) return in.error();
        std::get<TransferIntent>(in.value()).call = std::get<HangupIntent>(ref.value()).ref.call;
        return in;
    }
    return contact_intent_from_json(t, j);
}

// ---- calls -----------------------------------------------------------------------------------

Result<Intent> call_intent_from_json(const std::string& t, const nlohmann::json& j) {
    auto opt = [&](const char* name) -> Result<std::string> {
        auto it = j.find(name);
        if (it == j.end() || it->is_null()) return std::string();
        if (!it->is_string()) return bad(std::string("\"") + name + "\" must be a string.");
        return it->get<std::string>();
    };
    if (t == "dial") {
        DialIntent in;
        for (auto [name, field] : {std::pair{"number", &in.number}, std::pair{"queue", &in.queue},
                                   std::pair{"contact", &in.contact}, std::pair{"agent", &in.agent}}) {
            auto v = opt(name);
            if (!v) return v.error();
            *field = v.value();
        }
        if (!in.number.empty() + !in.contact.empty() + !in.agent.empty() != 1)
            return bad("dial needs one of \"number\", \"agent\", or the \"contact\" of a callback.");
        return Intent{in};
    }
    CallRef ref;
    auto contact = opt("contact");
    if (!contact) return contact.error();
    ref.contact = contact.value();
    if (auto it = j.find("call"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > 0xFFFFFFFF)
            return bad("\"call\" must be a call id (a positive integer).");
        ref.call = static_cast<uint32_t>(it->get<int64_t>());
    }
    if (ref.contact.empty() && ref.call == 0) return bad("Name the call: \"contact\" (or \"call\").");
    if (t == "answer") return Intent{AnswerIntent{ref}};
    if (t == "hangup") return Intent{HangupIntent{ref}};
    if (t == "hold" || t == "resume") return Intent{HoldIntent{ref, t == "hold"}};
    if (t == "mute") {
        auto it = j.find("on");
        if (it == j.end() || !it->is_boolean()) return bad("\"on\" must be a boolean.");
        return Intent{MuteIntent{ref, it->get<bool>()}};
    }
    auto digits = string_field(j, "digits");
    if (!digits) return digits.error();
    return Intent{DtmfIntent{ref, digits.value()}};
}

// ---- audio devices ---------------------------------------------------------------------------

Result<Intent> device_intent_from_json(const std::string& t, const nlohmann::json& j) {
    if (t == "test_ringer") return Intent{TestRingerIntent{}};
    if (t == "refresh_devices") {
        auto it = j.find("probe");
        if (it != j.end() && !it->is_null() && !it->is_boolean()) return bad("\"probe\" must be a boolean.");
        return Intent{RefreshDevicesIntent{it != j.end() && it->is_boolean() && it->get<bool>()}};
    }
    if (t != "set_device") return make_error("unknown_intent", "Unknown intent \"" + t.substr(0, 32) + "\".");
    auto kind = string_field(j, "kind");
    if (!kind) return kind.error();
    if (kind.value() != "input" && kind.value() != "output" && kind.value() != "ringer")
        return bad("\"kind\" must be input (microphone), output (speaker) or ringer.");
    auto it = j.find("id");
    if (it == j.end() || !it->is_string()) return bad("\"id\" must be a device id (a string; \"\" is the default).");
    std::string id = it->get<std::string>();
    if (id.size() > 256) return bad("\"id\" is too long to be a device id.");
    return Intent{SetDeviceIntent{kind.value(), id}};
}

// ---- contacts ------------------------------------------------------------------------------

namespace {
Result<std::optional<std::string>> optional_string(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) return bad(std::string("\"") + name + "\" must be a string.");
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::vector<std::string>> string_list(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    std::vector<std::string> out;
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) return bad(std::string("\"") + name + "\" must be an array of strings.");
    for (const auto& e : *it) {
        if (!e.is_string()) return bad(std::string("\"") + name + "\" must be an array of strings.");
        out.push_back(e.get<std::string>());
    }
    return out;
}
}  // namespace

Result<Intent> contact_intent_from_json(const std::string& t, const nlohmann::json& j) {
    if (t == "update_customer") {
        auto customer = string_field(j, "customer");
        if (!customer) return customer.error();
        UpdateCustomerIntent in{customer.value(), {}, {}, {}, {}};
        for (auto [name, field] : {std::pair{"first_name", &in.first_name}, std::pair{"last_name", &in.last_name},
                                   std::pair{"email", &in.email}, std::pair{"notes", &in.notes},
                                   std::pair{"address", &in.address}, std::pair{"postcode", &in.postcode},
                                   std::pair{"phone", &in.phone}, std::pair{"contact", &in.contact}}) {
            auto v = optional_string(j, name);
            if (!v) return v.error();
            *field = v.value();
        }
        return Intent{in};
    }
    static const char* kNamesContact[] = {"accept", "reject", "send_message", "typing", "transfer", "end",
                                          "wrap_up", "save_draft", "mark_read", "verify_answer", "verify_send_code"};
    bool known = false;
    for (const char* n : kNamesContact) known = known || t == n;
    if (!known) return make_error("unknown_intent", "Unknown intent \"" + t.substr(0, 32) + "\".");
    auto contact = string_field(j, "contact");
    if (!contact) return contact.error();
    const std::string& id = contact.value();
    if (t == "accept") return Intent{AcceptIntent{id}};
    if (t == "reject") return Intent{RejectIntent{id}};
    if (t == "end") return Intent{EndIntent{id}};
    if (t == "mark_read") return Intent{MarkReadIntent{id}};
    if (t == "verify_send_code") return Intent{VerifySendCodeIntent{id}};
    if (t == "verify_answer") {
        auto step = string_field(j, "step");
        if (!step) return step.error();
        auto answer = string_field(j, "answer");
        if (!answer) return answer.error();
        if (answer.value().find_first_not_of(" \t\r\n") == std::string::npos)
            return bad("\"answer\" is empty: type what the customer said.");
        if (answer.value().size() > 200) return bad("\"answer\" is longer than 200 characters.");
        return Intent{VerifyAnswerIntent{id, step.value(), answer.value()}};
    }
    if (t == "send_message") {
        auto text = string_field(j, "text");
        if (!text) return text.error();
        return Intent{SendMessageIntent{id, text.value()}};
    }
    if (t == "typing") {
        auto it = j.find("typing");
        if (it == j.end() || !it->is_boolean()) return bad("\"typing\" must be a boolean.");
        return Intent{TypingIntent{id, it->get<bool>()}};
    }
    if (t == "transfer") {
        auto queue = optional_string(j, "queue");
        if (!queue) return queue.error();
        auto agent = optional_string(j, "agent");
        if (!agent) return agent.error();
        auto note = optional_string(j, "note");
        if (!note) return note.error();
        auto target = optional_string(j, "target");
        if (!target) return target.error();
        auto mode = optional_string(j, "mode");
        if (!mode) return mode.error();
        std::string m = mode.value().value_or("");
        if (!m.empty() && m != "blind" && m != "attended" && m != "complete")
            return bad("\"mode\" must be blind, attended or complete.");
        return Intent{TransferIntent{id, queue.value().value_or(""), agent.value().value_or(""), note.value().value_or(""),
                                     target.value().value_or(""), m}};
    }
    if (t == "wrap_up") {
        auto disposition = string_field(j, "disposition");
        if (!disposition) return disposition.error();
        auto notes = optional_string(j, "notes");
        if (!notes) return notes.error();
        auto tags = string_list(j, "tags");
        if (!tags) return tags.error();
        return Intent{WrapUpIntent{id, disposition.value(), notes.value().value_or(""), tags.value()}};
    }
    // save_draft
    SaveDraftIntent in{id, {}, {}};
    auto text = optional_string(j, "text");
    if (!text) return text.error();
    in.text = text.value();
    if (auto w = j.find("wrap_up"); w != j.end() && !w->is_null()) {
        if (!w->is_object()) return bad("\"wrap_up\" must be an object.");
        auto d = optional_string(*w, "disposition");
        if (!d) return d.error();
        auto n = optional_string(*w, "notes");
        if (!n) return n.error();
        auto tags = string_list(*w, "tags");
        if (!tags) return tags.error();
        in.wrap_up = WrapUpDraft{d.value().value_or(""), n.value().value_or(""), tags.value()};
    }
    return Intent{in};
}

// ---- payments ---------------------------------------------------------------------------------

Result<Intent> payment_intent_from_json(const std::string& t, const nlohmann::json& j) {
    auto contact = string_field(j, "contact");
    if (!contact) return contact.error();
    auto amount_of = [&](bool required) -> Result<int64_t> {
        auto it = j.find("amount");
        if (it == j.end() || it->is_null()) {
            if (required) return bad("\"amount\" is required: minor units (cents), e.g. 1250 for 12.50.");
            return int64_t{0};
        }
        if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 10'000'000)
            return bad("\"amount\" must be a whole number of minor units from 1 to 10000000.");
        return it->get<int64_t>();
    };
    if (t == "payment_start") {
        auto amount = amount_of(true);
        if (!amount) return amount.error();
        auto currency = optional_string(j, "currency");
        if (!currency) return currency.error();
        std::string cur = currency.value().value_or("");
        if (!cur.empty() && (cur.size() != 3 || !std::all_of(cur.begin(), cur.end(), [](char c) { return c >= 'A' && c <= 'Z'; })))
            return bad("\"currency\" must be three capital letters (ISO 4217), e.g. USD.");
        return Intent{PaymentStartIntent{contact.value(), amount.value(), cur}};
    }
    auto payment = string_field(j, "payment");
    if (!payment) return payment.error();
    if (t == "payment_cancel") return Intent{PaymentCancelIntent{contact.value(), payment.value()}};
    if (t == "refund") {
        auto amount = amount_of(false);
        if (!amount) return amount.error();
        return Intent{RefundIntent{contact.value(), payment.value(), amount.value()}};
    }
    PaymentSubmitIntent in{contact.value(), payment.value(), {}, {}, {}};
    for (auto [name, field] : {std::pair{"card_number", &in.card_number}, std::pair{"expiry", &in.expiry},
                               std::pair{"cvc", &in.cvc}}) {
        auto v = string_field(j, name);
        if (!v) return v.error();  // (names the field, never echoes its value)
        if (v.value().size() > 40) return bad(std::string("\"") + name + "\" is too long.");
        *field = v.value();
    }
    return Intent{in};
}

// ---- sign-in's second factor, sessions --------------------------------------------------------

Result<Intent> session_intent_from_json(const std::string& t, const nlohmann::json& j) {
    auto opt = [&](const char* name) -> Result<std::string> {
        auto it = j.find(name);
        if (it == j.end() || it->is_null()) return std::string();
        if (!it->is_string()) return bad(std::string("\"") + name + "\" must be a string.");
        return it->get<std::string>();
    };
    if (t == "mfa") {
        auto code = opt("code");
        if (!code) return code.error();
        auto recovery = opt("recovery_code");
        if (!recovery) return recovery.error();
        if (code.value().empty() == recovery.value().empty())
            return bad("mfa needs one of \"code\" (the app's 6 digits) or \"recovery_code\".");
        return Intent{MfaIntent{code.value(), recovery.value()}};
    }
    if (t == "mfa_done") return Intent{MfaDoneIntent{}};
    if (t == "sessions") return Intent{SessionsIntent{}};
    if (t == "find_agents") {
        auto query = opt("query");
        if (!query) return query.error();
        if (text::utf8_length(query.value()) > protocol::kMaxAgentQuery)
            return bad("\"query\" is longer than " + std::to_string(protocol::kMaxAgentQuery) + " characters.");
        return Intent{FindAgentsIntent{query.value()}};
    }
    RevokeSessionIntent in;
    auto session = opt("session");
    if (!session) return session.error();
    in.session = session.value();
    auto all = j.find("all_others");
    if (all != j.end() && !all->is_null()) {
        if (!all->is_boolean()) return bad("\"all_others\" must be true or false.");
        in.all_others = all->get<bool>();
    }
    if (in.session.empty() == !in.all_others)
        return bad("revoke_session needs \"session\" (an id from sessions) or \"all_others\": true.");
    return Intent{in};
}

}  // namespace sb::desk
