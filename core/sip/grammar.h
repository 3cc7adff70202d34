// sip/grammar.h: the character classes and small scanners of RFC 3261 section 25, shared by the
// message parser and the typed readers. Everything here works on std::string_view and allocates
// nothing, except unquote()/unescape(), which build decoded text on request, and the error text
// helpers.
//
// Sections: character classes · whitespace · numbers · quoted strings and escapes ·
// top-level splitting (commas outside quotes and <>) · error text helpers
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb::sip::grammar {

// ---- character classes -------------------------------------------------------------------------
enum CharClass : uint16_t {
    kAlnum = 1 << 0,
    kToken = 1 << 1,       // token: alphanum - . ! % * _ + ` ' ~
    kWord = 1 << 2,        // word: token chars and ( ) < > : \ " / [ ] ? { }
    kUnreserved = 1 << 3,  // alphanum and mark: - _ . ! ~ * ' ( )
    kUser = 1 << 4,        // unreserved and user-unreserved: & = + $ , ; ? /
    kPassword = 1 << 5,    // unreserved and & = + $ ,
    kParamChar = 1 << 6,   // unreserved and param-unreserved: [ ] / : & + $
    kHeaderChar = 1 << 7,  // unreserved and hnv-unreserved: [ ] / ? : + $
    kUric = 1 << 8,        // unreserved and reserved: ; / ? : @ & = + $ ,
    kHost = 1 << 9,        // hostname characters: alphanum - . (and _, seen in the wild)
    kScheme = 1 << 10,     // after the first letter: alphanum + - .
    kHex = 1 << 11,
};

namespace detail {
constexpr std::array<uint16_t, 256> make_classes() {
    std::array<uint16_t, 256> t{};
    auto add = [&t](std::string_view chars, uint16_t cls) {
        for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
    };
    for (int c = 0; c < 256; ++c) {
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (alpha || digit)
            t[c] |= kAlnum | kToken | kWord | kUnreserved | kUser | kPassword | kParamChar |
                    kHeaderChar | kUric | kHost | kScheme;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) t[c] |= kHex;
    }
    add("-.!%*_+`'~", kToken | kWord);
    add("()<>:\\\"/[]?{}", kWord);
    add("-_.!~*'()", kUnreserved | kUser | kPassword | kParamChar | kHeaderChar | kUric);
    add("&=+$,;?/", kUser);
    add("&=+$,", kPassword);
    add("[]/:&+$", kParamChar);
    add("[]/?:+$", kHeaderChar);
    add(";/?:@&=+$,", kUric);
    add("-._", kHost);
    add("+-.", kScheme);
    return t;
}
inline constexpr std::array<uint16_t, 256> kClasses = make_classes();
}  // namespace detail

constexpr bool is(char c, uint16_t cls) { return (detail::kClasses[static_cast<unsigned char>(c)] & cls) != 0; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_token_char(char c) { return is(c, kToken); }
constexpr bool is_ws(char c) { return c == ' ' || c == '\t'; }
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}
bool all_of(std::string_view s, uint16_t cls);  // true for the empty string
constexpr bool is_hex(char c) { return is(c, kHex); }
// True when s[i] starts a %HH escape.
inline bool escape_at(std::string_view s, size_t i) {
    return i + 2 < s.size() && s[i] == '%' && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}
// Length of the run of characters of `cls` (or %HH escapes, when `escapes`) starting at `i`.
inline size_t span_of(std::string_view s, size_t i, uint16_t cls, bool escapes = false) {
    size_t start = i;
    while (i < s.size()) {
        if (is(s[i], cls)) {
            ++i;
        } else if (escapes && escape_at(s, i)) {
            i += 3;
        } else {
            break;
        }
    }
    return i - start;
}
bool is_token(std::string_view s);              // 1*token-char

// ---- whitespace --------------------------------------------------------------------------------
// Header values reach the readers with folds already replaced by a single SP (the parser does
// that in place), so LWS here is just SP and HTAB.
inline std::string_view trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && is_ws(s[b])) ++b;
    while (e > b && is_ws(s[e - 1])) --e;
    return s.substr(b, e - b);
}
inline size_t skip_ws(std::string_view s, size_t i) {
    while (i < s.size() && is_ws(s[i])) ++i;
    return i;
}

// ---- numbers -----------------------------------------------------------------------------------
// 1*DIGIT no larger than `max` (leading zeros allowed: "0068" is 68). False on anything else.
bool parse_uint(std::string_view digits, uint64_t max, uint64_t& out);

// ---- quoted strings and escapes ----------------------------------------------------------------
// `s[i]` is the opening DQUOTE; returns the index just past the closing one, or npos when the
// string (or a trailing backslash) runs off the end.
size_t scan_quoted(std::string_view s, size_t i);
// The text of a quoted-string without its quotes and with quoted-pairs resolved; anything not
// starting with DQUOTE comes back unchanged.
std::string unquote(std::string_view s);
// %HH decoded; a '%' not followed by two hex digits stays as it is.
std::string unescape(std::string_view s);
// Case-insensitive comparison of the %-decoded `raw` with `plain`, without allocating.
bool iequals_unescaped(std::string_view raw, std::string_view plain);
// True when every '%' in `s` starts a %HH escape.
bool escapes_valid(std::string_view s);

// ---- top-level splitting -----------------------------------------------------------------------
// Splits a header value at commas that are outside quoted strings and outside <...>. Yields
// each element trimmed, empty ones included (the typed readers decide whether an empty element
// is an error). Usage: `for (ValueSplitter it(v); it.next(part);)`.
class ValueSplitter {
public:
    explicit ValueSplitter(std::string_view value) : s_(value) {}
    bool next(std::string_view& part);

private:
    std::string_view s_;
    size_t pos_ = 0;
    bool done_ = false;
};

// Index of the first `c` outside quoted strings (and outside <...> when `skip_angles`), or npos.
size_t find_top_level(std::string_view s, char c, size_t from = 0, bool skip_angles = true);

// ---- error text --------------------------------------------------------------------------------
// `s` for an error message: at most 60 characters ("..." when cut), control octets as \xNN.
std::string excerpt(std::string_view s);
// A character for an error message: 'x', or 0x07 for control and non-ASCII bytes.
std::string describe_char(char c);

}  // namespace sb::sip::grammar
