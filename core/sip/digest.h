// sip/digest.h: digest authentication of requests (RFC 3261 22.2-22.4 over RFC 2617), as a
// user agent answers 401 (WWW-Authenticate) and 407 (Proxy-Authenticate) challenges.
//
// Algorithms MD5 and MD5-sess; qop=auth, and no qop (RFC 2069 compatibility). auth-int is not
// offered by the SIP servers we target and is refused with a clear error. The client nonce is
// an input (the caller draws it from injected randomness); the nonce count is kept per nonce.
//
// Sections: credentials and challenges · the response computation · DigestClient
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/fields.h"
#include "util/result.h"

namespace sb::sip {

class Message;

// Error codes (Error::code).
inline constexpr std::string_view kAuthNoChallenge = "sip_auth_no_challenge";   // no usable Digest challenge
inline constexpr std::string_view kAuthUnsupported = "sip_auth_unsupported";    // algorithm or qop
inline constexpr std::string_view kAuthWrongRealm = "sip_auth_wrong_realm";     // not our realm
inline constexpr std::string_view kAuthRejected = "sip_auth_rejected";          // credentials refused

// ---- credentials and challenges ---------------------------------------------------------------
struct DigestCredentials {
    std::string username;
    std::string password;  // used when ha1 is empty
    std::string ha1;       // precomputed MD5(username ":" realm ":" password), lowercase hex
    std::string realm;     // when not empty, challenges for any other realm are refused
};

struct DigestChallenge {
    bool proxy = false;  // from Proxy-Authenticate (407): answered with Proxy-Authorization
    std::string realm;
    std::string nonce;
    std::optional<std::string> opaque;
    std::string algorithm = "MD5";  // "MD5" or "MD5-sess", as the server spelled it
    bool qop_auth = false;          // the server offered qop "auth"
    bool stale = false;             // the previous nonce expired; the credentials were fine
};

// One challenge value. Errors: kAuthNoChallenge (not Digest, no realm or nonce),
// kAuthUnsupported (another algorithm, or a qop list without "auth").
Result<DigestChallenge> digest_challenge(const AuthValue& value, bool proxy);
// Every usable Digest challenge of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate),
// in message order. An error when there is none, naming why the last one was unusable.
Result<std::vector<DigestChallenge>> read_digest_challenges(const Message& response);

// ---- the response computation (RFC 2617 3.2.2) ------------------------------------------------
// HA1 = MD5(username:realm:password), the form registrars store.
std::string digest_ha1(std::string_view username, std::string_view realm, std::string_view password);

struct DigestInput {
    std::string_view method;  // the request's method ("REGISTER"; "ACK" and "CANCEL" reuse INVITE's)
    std::string_view uri;     // the Request-URI, as sent
    std::string_view cnonce;  // only with qop
    uint32_t nc = 1;          // only with qop
};
// The request-digest ("response" parameter) in lowercase hex.
std::string digest_response(const DigestChallenge& challenge, std::string_view ha1, const DigestInput& in);
// The whole Authorization / Proxy-Authorization value: Digest username="..", realm="..",
// nonce="..", uri="..", response="..", algorithm=.., [cnonce="..", opaque="..", qop=auth, nc=..].
std::string authorization_value(const DigestChallenge& challenge, const DigestCredentials& credentials,
                                const DigestInput& in);

// ---- DigestClient -----------------------------------------------------------------------------
// What a user agent remembers between requests: the last challenge of each realm (reused on
// later requests, so a refresh does not need a 401 first) and the nonce count of its nonce.
struct AuthorizationHeader {
    std::string name;   // "Authorization" or "Proxy-Authorization"
    std::string value;
};

class DigestClient {
public:
    explicit DigestClient(DigestCredentials credentials) : credentials_(std::move(credentials)) {}

    // Takes the challenges of a 401/407. `retried` says the request that drew this response was
    // already the retry of an earlier challenge (RFC 3261 22.2: a UA retries once): then only a
    // stale=true challenge is accepted, anything else is kAuthRejected. Other errors: those of
    // read_digest_challenges, and kAuthWrongRealm. On error nothing changes.
    Status on_challenge(const Message& response, bool retried);

    // The headers to add to a request: one per remembered challenge, each counting one more use
    // of its nonce. Empty before the first challenge.
    std::vector<AuthorizationHeader> authorize(std::string_view method, std::string_view uri,
                                               std::string_view cnonce);

    bool has_challenge() const { return !realms_.empty(); }
    void forget() { realms_.clear(); }  // a new registration starts over

private:
    struct Realm {
        DigestChallenge challenge;
        uint32_t nc = 0;  // uses of challenge.nonce so far
    };
    std::string ha1_for(std::string_view realm) const;

    DigestCredentials credentials_;
    std::vector<Realm> realms_;
};

}  // namespace sb::sip
