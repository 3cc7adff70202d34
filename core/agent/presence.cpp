#include "agent/presence.h"

#include <algorithm>

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

namespace {
Error bad(const std::string& what) { return make_error(protocol::code::bad_message, what); }
}  // namespace

Result<AgentSnapshot> agent_from_json(const json& j) {
    if (!j.is_object()) return bad("agent must be an object");
    auto str = [&](const char* k) -> const json* {
        auto it = j.find(k);
        return (it != j.end() && it->is_string()) ? &*it : nullptr;
    };
    const json* user = str("username");
    const json* name = str("display_name");
    const json* state = str("state");
    if (!user || !name || !state) return bad("agent needs username, display_name and state strings");
    auto p = parse_presence(state->get_ref<const std::string&>());
    if (!p) return bad("agent.state is not a presence");
    AgentSnapshot a;
    a.username = user->get<std::string>();
    a.display_name = name->get<std::string>();
    a.state = *p;
    auto r = j.find("reason");
    if (r != j.end() && r->is_string()) a.reason = r->get<std::string>();
    else if (r != j.end() && !r->is_null()) return bad("agent.reason must be a string or null");
    auto since = j.find("state_since");
    if (since == j.end() || !since->is_number_integer()) return bad("agent.state_since must be an integer");
    a.state_since_ms = since->get<int64_t>();
    return a;
}

Result<std::vector<ReasonCode>> reason_codes_from_json(const json& j) {
    if (!j.is_array()) return bad("reason_codes must be an array");
    std::vector<ReasonCode> out;
    for (const json& e : j) {
        if (!e.is_object()) return bad("reason code must be an object");
        auto c = e.find("code");
        auto l = e.find("label");
        if (c == e.end() || !c->is_string() || l == e.end() || !l->is_string())
            return bad("reason code needs code and label strings");
        out.push_back({c->get<std::string>(), l->get<std::string>()});
    }
    return out;
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
