// protocol/json_text.h: writing JSON text directly, for the few documents the desk writes on
// every event or message (a request to send, the drafts to persist), where building an
// nlohmann::json tree only to dump it cost more than the rest of the event. The text is the
// same as nlohmann's dump(-1, ' ', false, error_handler_t::replace) of the same document, so
// that nothing downstream (the backend, storage, tests) sees a difference.
#pragma once

#include <string>
#include <string_view>

namespace sb::protocol {

// Appends `s` as a JSON string, quoted and escaped as nlohmann writes it (invalid UTF-8 replaced
// by U+FFFD).
void append_json_string(std::string& out, std::string_view s);

}  // namespace sb::protocol
