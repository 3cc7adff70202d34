// protocol/json_text.cpp: append_json_string. Printable ASCII without a quote or a backslash
// (ids, most text) is copied as it is; anything else is written by nlohmann itself, so that its
// escapes and its replacement of invalid UTF-8 stay exactly its own.
#include "protocol/json_text.h"

#include <nlohmann/json.hpp>

namespace sb::protocol {

void append_json_string(std::string& out, std::string_view s) {
    bool plain = true;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
            plain = false;
            break;
        }
    }
    if (!plain) {
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    out += '"';
    out += s;
    out += '"';
}

}  // namespace sb::protocol
