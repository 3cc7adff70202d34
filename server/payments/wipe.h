// wipe.h: overwriting card numbers and CVCs before their memory is freed (docs/security.md,
// "Card data"): the payment service's copies and the fake gateway's.
#pragma once

#include <string>

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace sbd {

// Overwrites a string's bytes, then empties it.
inline void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

// Wipes `j[key]` if it is a string.
inline void wipe_json_string(nlohmann::json& j, const char* key) {
    if (j.is_object() && j.contains(key) && j[key].is_string()) wipe(j[key].get_ref<std::string&>());
}

}  // namespace sbd
