// util/text.h: text that came from outside, made safe to quote back.
//
// Every string a client sends may end up inside an error message, a log line or an audit entry,
// and every one of those is serialised as JSON, which must be valid UTF-8. Cutting a string at a
// byte count can split a character and make it invalid (and nlohmann's dump() then throws), so
// client text is only ever echoed through quote(): never cut mid-character, invalid bytes
// replaced, and a visible mark where it was cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::text {

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// The number of code points in well-formed UTF-8 (continuation bytes are not counted).
std::size_t utf8_length(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a character.
// `s` need not be valid: only a trailing partial sequence is cut off.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// Client text for an error message or a log line: valid UTF-8 (each ill-formed byte becomes
// U+FFFD), at most `max_bytes` bytes of the original, and "…" appended if anything was cut.
std::string quote(std::string_view s, std::size_t max_bytes = 64);

}  // namespace sb::text
