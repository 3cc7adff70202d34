// agent/totp.cpp: TOTP, base32, otpauth URI and recovery codes (see totp.h).
#include "agent/totp.h"

#include <cctype>

#include "util/sha1.h"

namespace sb::agent {

// ---- base32 -----------------------------------------------------------------------------------
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}
}  // namespace

std::string base32_encode(std::string_view bytes) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (char ch : bytes) {
        buffer = (buffer << 8) | static_cast<uint8_t>(ch);
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
    return out;
}

Result<std::string> base32_decode(std::string_view text) {
    while (!text.empty() && (text.back() == '=' || text.back() == ' ')) text.remove_suffix(1);
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == ' ') continue;
        int v = base32_value(c);
        if (v < 0) return make_error("bad_secret", "A base32 secret has only the letters A-Z and the digits 2-7.");
        buffer = (buffer << 5) | static_cast<uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

// ---- HOTP / TOTP ------------------------------------------------------------------------------
std::string hotp(std::string_view key, uint64_t counter, int digits) {
    char message[8];
    for (int i = 0; i < 8; ++i) message[i] = static_cast<char>(counter >> (56 - 8 * i));
    auto mac = hmac_sha1(key, std::string_view(message, 8));
    // Dynamic truncation: the low 4 bits of the last byte pick 4 bytes; drop their top bit.
    int offset = mac[19] & 0x0F;
    uint32_t binary = (uint32_t(mac[offset] & 0x7F) << 24) | (uint32_t(mac[offset + 1]) << 16) |
                      (uint32_t(mac[offset + 2]) << 8) | uint32_t(mac[offset + 3]);
    uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) modulus *= 10;
    std::string code = std::to_string(binary % modulus);
    return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

int64_t totp_step(int64_t unix_ms, int64_t step_seconds) {
    int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
    return seconds >= 0 ? seconds / step_seconds : -((-seconds + step_seconds - 1) / step_seconds);
}

std::string totp(std::string_view key, int64_t unix_ms, int digits, int64_t step_seconds) {
    return hotp(key, static_cast<uint64_t>(totp_step(unix_ms, step_seconds)), digits);
}

// ---- verification -----------------------------------------------------------------------------
bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

Result<int64_t> verify_totp(std::string_view key, std::string_view code, int64_t now_ms, int64_t last_used_step,
                            int window) {
    std::string digits;
    for (char c : code) {
        if (c == ' ') continue;
        if (c < '0' || c > '9' || digits.size() == static_cast<size_t>(kTotpDigits)) {
            digits.clear();
            break;
        }
        digits += c;
    }
    if (digits.size() != static_cast<size_t>(kTotpDigits))
        return make_error("bad_code", "A code is the 6 digits your authenticator app shows.");
    int64_t now_step = totp_step(now_ms);
    // Look at every step of the window, whatever matches first, so timing tells nothing.
    int64_t matched = 0;
    bool found = false;
    for (int64_t s = now_step - window; s <= now_step + window; ++s) {
        bool eq = constant_time_equal(hotp(key, static_cast<uint64_t>(s)), digits);
        if (eq && !found) {
            matched = s;
            found = true;
        }
    }
    if (!found) return make_error("invalid_code", "That code is not right. Check your authenticator app's clock.");
    if (matched <= last_used_step)
        return make_error("code_reused", "That code was already used; wait for the next one.");
    return matched;
}

// ---- otpauth URI ------------------------------------------------------------------------------
namespace {
std::string percent_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}
}  // namespace

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
    return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
           "?secret=" + std::string(secret_base32) + "&issuer=" + percent_encode(issuer);
}

// ---- recovery codes ---------------------------------------------------------------------------
std::string normalize_recovery_code(std::string_view typed) {
    std::string out;
    for (char ch : typed) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    }
    return out;
}

std::string format_recovery_code(std::string_view normalized) {
    if (normalized.size() != 10) return std::string(normalized);
    return std::string(normalized.substr(0, 5)) + "-" + std::string(normalized.substr(5));
}

}  // namespace sb::agent
