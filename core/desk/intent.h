// desk/intent.h: what the agent (through the UI or the JS API) asks the desk to do.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "agent/presence.h"
#include "util/result.h"

namespace sb::desk {

struct LoginIntent {
    std::string username;
    std::string password;
};
struct SetStateIntent {
    agent::Presence state = agent::Presence::Offline;
    std::optional<std::string> reason;
};
struct LogoutIntent {};

using Intent = std::variant<LoginIntent, SetStateIntent, LogoutIntent>;

// The JS API's form: {type: "login", username, password}, {type: "set_state", state, reason?},
// {type: "logout"}. Errors: bad_intent (with the field named), unknown_intent.
Result<Intent> intent_from_json(const nlohmann::json& j);

}  // namespace sb::desk
