#include "sip/grammar.h"

namespace sb::sip::grammar {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bool all_of(std::string_view s, uint16_t cls) {
    for (char c : s)
        if (!is(c, cls)) return false;
    return true;
}

bool is_token(std::string_view s) { return !s.empty() && all_of(s, kToken); }

bool parse_uint(std::string_view digits, uint64_t max, uint64_t& out) {
    if (digits.empty()) return false;
    uint64_t v = 0;
    for (char c : digits) {
        if (!is_digit(c)) return false;
        uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

size_t scan_quoted(std::string_view s, size_t i) {
    ++i;  // opening quote
    while (i < s.size()) {
        char c = s[i];
        if (c == '"') return i + 1;
        if (c == '\\') {
            if (i + 1 >= s.size()) return std::string_view::npos;
            i += 2;
        } else {
            ++i;
        }
    }
    return std::string_view::npos;
}

std::string unquote(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
    s = s.substr(1, s.size() - 2);
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i];
    }
    return out;
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && escape_at(s, i)) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool iequals_unescaped(std::string_view raw, std::string_view plain) {
    size_t j = 0;
    for (size_t i = 0; i < raw.size(); ++i, ++j) {
        char c = raw[i];
        if (c == '%' && escape_at(raw, i)) {
            c = static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
            i += 2;
        }
        if (j >= plain.size() || to_lower(c) != to_lower(plain[j])) return false;
    }
    return j == plain.size();
}

bool escapes_valid(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i)
        if (s[i] == '%' && !escape_at(s, i)) return false;
    return true;
}

bool ValueSplitter::next(std::string_view& part) {
    if (done_) return false;
    size_t comma = find_top_level(s_, ',', pos_);
    if (comma == std::string_view::npos) {
        part = trim(s_.substr(pos_));
        done_ = true;
    } else {
        part = trim(s_.substr(pos_, comma - pos_));
        pos_ = comma + 1;
    }
    return true;
}

size_t find_top_level(std::string_view s, char c, size_t from, bool skip_angles) {
    bool in_angle = false;
    for (size_t i = from; i < s.size(); ++i) {
        char ch = s[i];
        if (ch == '"') {
            size_t end = scan_quoted(s, i);
            if (end == std::string_view::npos) return std::string_view::npos;
            i = end - 1;
            continue;
        }
        if (skip_angles) {
            if (in_angle) {
                if (ch == '>') in_angle = false;
                continue;
            }
            if (ch == '<' && c != '<') {
                in_angle = true;
                continue;
            }
        }
        if (ch == c) return i;
    }
    return std::string_view::npos;
}

std::string excerpt(std::string_view s) {
    // Control octets are spelled \xNN so that an error message is always printable text.
    std::string out;
    size_t limit = s.size() <= 60 ? s.size() : 57;
    for (size_t i = 0; i < limit; ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (u < 0x20 || u == 0x7f) {
            const char* digits = "0123456789abcdef";
            out += "\\x";
            out += digits[u >> 4];
            out += digits[u & 15];
        } else {
            out += s[i];
        }
    }
    if (limit < s.size()) out += "...";
    return out;
}

std::string describe_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[u >> 4] + digits[u & 15];
}

}  // namespace sb::sip::grammar
