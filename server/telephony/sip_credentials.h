// sip_credentials.h: the SIP credentials switchboardd issues with every desk session, for the
// agent's SIP user agent to register with the telephony (Kamailio; docs/telephony.md).
//
// One credential per desk session, derived from the session token:
//   username  <agent>.<12 hex of the token's hash>   (the digest username; the AOR stays sip:<agent>@domain)
//   password  BLAKE2b("switchboard sip password v1" \0 token), 24 base64url characters
// so the same session (login and every resume) always gets the same password, a new login gets
// a new one, and the server never keeps it: the subscriber table holds only HA1 and HA1b (what
// Kamailio's auth_db needs), and the token itself is kept only as its hash (auth.h).
//
// Sections: SipConfig · SipCredentials · issue
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sbd {

// ---- SipConfig ----------------------------------------------------------------------------------
struct SipConfig {
    std::string domain;  // SIP domain and digest realm (--sip-domain), e.g. "127.0.0.1"
    std::string ws_url;  // SIP over WebSocket (RFC 7118) for the desk (--sip-ws-url)
};

// ---- SipCredentials -----------------------------------------------------------------------------
struct SipCredentials {
    // What the session carries (docs/protocol.md, "sip").
    std::string uri;       // sip:<sip_user>@<domain>
    std::string username;  // digest username
    std::string password;  // never stored, never logged
    std::string realm;
    std::string ws_url;
    // What the subscriber table keeps for Kamailio.
    std::string sip_user;  // the URI's user part: the agent's username, %-escaped where SIP needs it
    std::string ha1;       // md5(username:realm:password)
    std::string ha1b;      // md5(username@domain:realm:password)
};

// ---- issue --------------------------------------------------------------------------------------
// The credentials of the session whose token is `token`, for agent `agent`.
SipCredentials sip_credentials(const SipConfig& config, const std::string& agent, std::string_view token);

// The session's "sip" object: uri, username, password, realm, ws_url.
nlohmann::json to_json(const SipCredentials& credentials);

// The user part of a SIP URI for `name`: unreserved characters as they are, others %XX.
std::string sip_user_part(std::string_view name);

}  // namespace sbd
