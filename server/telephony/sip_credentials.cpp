// sip_credentials.cpp: per-session SIP credentials (see sip_credentials.h).
#include "server/telephony/sip_credentials.h"

#include <cctype>
#include <sodium.h>

#include "server/accounts/auth.h"
#include "util/md5.h"

namespace sbd {

namespace {
constexpr std::string_view kPasswordContext = "switchboard sip password v1";
constexpr std::size_t kPasswordBytes = 18;  // 144 bits: 24 base64url characters, no padding
constexpr std::size_t kSessionTagHex = 12;

std::string derive_password(std::string_view token) {
    // BLAKE2b(context || 0 || token): secret as long as the token is, and nothing the database
    // holds (the token's own hash is unkeyed BLAKE2b of the token alone) leads back to it.
    unsigned char out[kPasswordBytes];
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof out);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kPasswordContext.data()),
                              kPasswordContext.size());
    const unsigned char separator = 0;
    crypto_generichash_update(&state, &separator, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    crypto_generichash_final(&state, out, sizeof out);
    char text[sodium_base64_ENCODED_LEN(kPasswordBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(text, sizeof text, out, sizeof out, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(out, sizeof out);
    return std::string(text);
}
}  // namespace

std::string sip_user_part(std::string_view name) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

SipCredentials sip_credentials(const SipConfig& config, const std::string& agent, std::string_view token) {
    SipCredentials c;
    c.sip_user = sip_user_part(agent);
    c.uri = "sip:" + c.sip_user + "@" + config.domain;
    c.username = c.sip_user + "." + token_hash(token).substr(0, kSessionTagHex);
    c.password = derive_password(token);
    c.realm = config.domain;
    c.ws_url = config.ws_url;
    c.ha1 = sb::md5_hex(c.username + ":" + c.realm + ":" + c.password);
    c.ha1b = sb::md5_hex(c.username + "@" + config.domain + ":" + c.realm + ":" + c.password);
    return c;
}

nlohmann::json to_json(const SipCredentials& c) {
    return {{"uri", c.uri}, {"username", c.username}, {"password", c.password}, {"realm", c.realm}, {"ws_url", c.ws_url}};
}

}  // namespace sbd
