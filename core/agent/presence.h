// agent/presence.h: the agent's presence (what they chose) and the rules for changing it.
//
// Presence is chosen by the agent: offline, available, or not_ready with a reason code from the
// backend's list. The rule for a valid change lives here once, used by the desk before it sends
// a request and by switchboardd before it accepts one.
//
// Sections: Presence · ReasonCode · AgentSnapshot (wire form) · check_presence_change
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/json_doc.h"

#include "util/result.h"

namespace sb::agent {

using json = nlohmann::json;

enum class Presence { Offline, Available, NotReady };

std::string_view to_string(Presence p);
std::optional<Presence> parse_presence(std::string_view s);

struct ReasonCode {
    std::string code;
    std::string label;
    friend bool operator==(const ReasonCode&, const ReasonCode&) = default;
};

// The agent as the protocol describes them ("agent" object of docs/protocol.md).
struct AgentSnapshot {
    std::string username;
    std::string display_name;
    Presence state = Presence::Offline;
    std::string reason;          // empty unless state == NotReady
    int64_t state_since_ms = 0;  // server clock, ms since the Unix epoch
    friend bool operator==(const AgentSnapshot&, const AgentSnapshot&) = default;
};

json to_json(const AgentSnapshot& a);
json to_json(const ReasonCode& r);
// Read from the backend (protocol::Fields: never throws; errors: bad_message naming the field's
// path, which `where` begins).
Result<AgentSnapshot> agent_from_json(const protocol::JsonValue& j, const std::string& where = "agent");
Result<std::vector<ReasonCode>> reason_codes_from_json(const protocol::JsonValue& j);
// The nlohmann forms read the same way, through a JsonDoc of the value's text.
Result<AgentSnapshot> agent_from_json(const json& j, const std::string& where = "agent");
Result<std::vector<ReasonCode>> reason_codes_from_json(const json& j);

// Reasons the backend sets by itself, which are not in the agent's list (docs/protocol.md): a
// missed offer moves the agent to not_ready with the reason "missed".
inline constexpr const char* kMissedReason = "missed";

// The label of `code`: from the backend's list, else a system reason's name, else the code.
std::string reason_label(const std::vector<ReasonCode>& codes, const std::string& code);

// Is moving to `to` with `reason` allowed? Errors: invalid_reason (missing for not_ready, given
// for another state, or not in `codes`). Any presence may be reached from any other: the agent
// decides; what is checked is the reason.
Status check_presence_change(Presence to, const std::optional<std::string>& reason,
                             const std::vector<ReasonCode>& codes);

}  // namespace sb::agent
