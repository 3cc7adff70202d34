#include "desk/intent.h"

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
    return make_error("unknown_intent", "Unknown intent \"" + t.substr(0, 32) + "\".");
}

}  // namespace sb::desk
