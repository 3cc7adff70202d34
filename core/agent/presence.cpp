#include "agent/presence.h"

#include <algorithm>

#include "protocol/reader.h"
#include "protocol/schema.h"

namespace sb::agent {

std::string_view to_string(Presence p) {
    switch (p) {
        case Presence::Offline: return "offline";
        case Presence::Available: return "available";
        case Presence::NotReady: return "not_ready";
    }
    return "offline";
}

std::optional<Presence> parse_presence(std::string_view s) {
    if (s == "offline") return Presence::Offline;
    if (s == "available") return Presence::Available;
    if (s == "not_ready") return Presence::NotReady;
    return std::nullopt;
}

json to_json(const AgentSnapshot& a) {
    return json{{"username", a.username},
                {"display_name", a.display_name},
                {"state", std::string(to_string(a.state))},
                {"reason", a.reason.empty() ? json(nullptr) : json(a.reason)},
                {"state_since", a.state_since_ms}};
}

json to_json(const ReasonCode& r) { return json{{"code", r.code}, {"label", r.label}}; }

Result<AgentSnapshot> agent_from_json(const protocol::JsonValue& j, const std::string& where) {
    protocol::Fields f(j, where);
    AgentSnapshot a;
    a.username = f.str("username");
    a.display_name = f.str("display_name");
    std::string state = f.str("state");
    if (auto p = parse_presence(state)) a.state = *p;
    else if (f.ok()) f.fail("state", "a presence");
    a.reason = f.str_or_null("reason");
    a.state_since_ms = f.integer("state_since");
    return f.done(std::move(a));
}

Result<std::vector<ReasonCode>> reason_codes_from_json(const protocol::JsonValue& j) {
    if (!j.is_array()) return make_error(protocol::code::bad_message, "reason_codes must be an array");
    return protocol::decode_list<ReasonCode>(&j, "reason_codes", [](const protocol::JsonValue& e, const std::string& where) -> Result<ReasonCode> {
        protocol::Fields f(e, where);
        ReasonCode r{f.str("code"), f.str("label")};
        return f.done(std::move(r));
    });
}

Result<AgentSnapshot> agent_from_json(const json& j, const std::string& where) {
    return agent_from_json(protocol::JsonDoc::from(j).root(), where);
}

Result<std::vector<ReasonCode>> reason_codes_from_json(const json& j) {
    return reason_codes_from_json(protocol::JsonDoc::from(j).root());
}

std::string reason_label(const std::vector<ReasonCode>& codes, const std::string& code) {
    for (const auto& r : codes)
        if (r.code == code) return r.label;
    if (code == kMissedReason) return "Missed offer";
    return code;
}

Status check_presence_change(Presence to, const std::optional<std::string>& reason,
                             const std::vector<ReasonCode>& codes) {
    using protocol::code::invalid_reason;
    if (to == Presence::NotReady) {
        if (!reason || reason->empty())
            return make_error(invalid_reason, "Not ready needs a reason.");
        bool known = std::any_of(codes.begin(), codes.end(),
                                 [&](const ReasonCode& c) { return c.code == *reason; });
        if (!known) return make_error(invalid_reason, "Unknown reason \"" + reason->substr(0, 64) + "\".");
        return Ok{};
    }
    if (reason)
        return make_error(invalid_reason,
                          "A reason is only given with not_ready, not with " + std::string(to_string(to)) + ".");
    return Ok{};
}

}  // namespace sb::agent
