// desk/state_json.h: the plain-object snapshot of DeskState that the JS API's state() returns
// (docs/js-api.md), and the JSON form of effects' errors.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "desk/desk_state.h"

namespace sb::desk {

nlohmann::json state_to_json(const DeskState& s, int64_t now_ms);
nlohmann::json error_to_json(const Error& e);
nlohmann::json call_json(const DeskState& s, const Call& c);  // one of state().calls
nlohmann::json devices_json(const AudioSettings& a);          // state().voice.devices (null: not known)

}  // namespace sb::desk
