// Digest authentication, RFC 2617 3.2.2 as RFC 3261 22.4 profiles it for SIP.
#include "sip/grammar.h"
#include "sip/digest.h"

#include <cstdio>

#include "sip/message.h"
#include "util/md5.h"

namespace sb::sip {
namespace {

using grammar::iequals;

// A quoted-string for a credentials parameter: '"' and '\' escaped (RFC 3261 25.1 quoted-pair).
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

std::string nc_hex(uint32_t nc) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", nc);
    return buf;
}

bool is_sess(const DigestChallenge& c) { return iequals(c.algorithm, "MD5-sess"); }

}  // namespace

// ---- credentials and challenges ---------------------------------------------------------------
Result<DigestChallenge> digest_challenge(const AuthValue& value, bool proxy) {
    const char* header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
    if (!value.is_digest())
        return make_error(std::string(kAuthNoChallenge),
                          std::string(header) + " scheme " + std::string(value.scheme) + " is not Digest");
    DigestChallenge c;
    c.proxy = proxy;
    auto realm = value.param("realm");
    auto nonce = value.param("nonce");
    if (!realm || !nonce)
        return make_error(std::string(kAuthNoChallenge),
                          std::string(header) + " Digest challenge without " + (realm ? "nonce" : "realm"));
    c.realm = *realm;
    c.nonce = *nonce;
    c.opaque = value.param("opaque");
    if (auto alg = value.param("algorithm")) {
        if (!iequals(*alg, "MD5") && !iequals(*alg, "MD5-sess"))
            return make_error(std::string(kAuthUnsupported), "digest algorithm " + *alg + " is not supported (MD5 only)");
        c.algorithm = *alg;
    }
    if (value.param("qop")) {
        for (const auto& q : value.qop_options())
            if (iequals(q, "auth")) c.qop_auth = true;
        if (!c.qop_auth)
            return make_error(std::string(kAuthUnsupported),
                              "digest qop \"" + *value.param("qop") + "\" does not offer auth");
    }
    if (auto stale = value.param("stale")) c.stale = iequals(*stale, "true");
    return c;
}

Result<std::vector<DigestChallenge>> read_digest_challenges(const Message& response) {
    bool proxy = response.is_response() && response.status() == 407;
    const char* header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
    std::vector<DigestChallenge> out;
    std::optional<Error> last;
    for (size_t i = 0; i < response.header_count(); ++i) {
        Header h = response.header(i);
        if (!iequals(h.canonical, header)) continue;
        auto value = parse_auth(h.value, header);
        if (!value) {
            last = value.error();
            continue;
        }
        auto c = digest_challenge(value.value(), proxy);
        if (!c) {
            last = c.error();
            continue;
        }
        out.push_back(std::move(c.value()));
    }
    if (!out.empty()) return out;
    if (last) return *last;
    return make_error(std::string(kAuthNoChallenge),
                      std::to_string(response.status()) + " response has no " + header + " header");
}

// ---- the response computation -----------------------------------------------------------------
std::string digest_ha1(std::string_view username, std::string_view realm, std::string_view password) {
    std::string a1;
    a1.append(username).append(":").append(realm).append(":").append(password);
    return md5_hex(a1);
}

std::string digest_response(const DigestChallenge& c, std::string_view ha1, const DigestInput& in) {
    std::string h1(ha1);
    if (is_sess(c)) h1 = md5_hex(h1 + ":" + c.nonce + ":" + std::string(in.cnonce));
    std::string a2;
    a2.append(in.method).append(":").append(in.uri);
    std::string h2 = md5_hex(a2);
    if (c.qop_auth)
        return md5_hex(h1 + ":" + c.nonce + ":" + nc_hex(in.nc) + ":" + std::string(in.cnonce) + ":auth:" + h2);
    return md5_hex(h1 + ":" + c.nonce + ":" + h2);
}

std::string authorization_value(const DigestChallenge& c, const DigestCredentials& cred, const DigestInput& in) {
    std::string ha1 = cred.ha1.empty() ? digest_ha1(cred.username, c.realm, cred.password) : cred.ha1;
    std::string v = "Digest username=" + quoted(cred.username) + ", realm=" + quoted(c.realm) +
                    ", nonce=" + quoted(c.nonce) + ", uri=" + quoted(in.uri) +
                    ", response=" + quoted(digest_response(c, ha1, in)) + ", algorithm=" + c.algorithm;
    if (c.qop_auth || is_sess(c)) v += ", cnonce=" + quoted(in.cnonce);
    if (c.opaque) v += ", opaque=" + quoted(*c.opaque);
    if (c.qop_auth) v += ", qop=auth, nc=" + nc_hex(in.nc);
    return v;
}

// ---- DigestClient -----------------------------------------------------------------------------
Status DigestClient::on_challenge(const Message& response, bool retried) {
    auto challenges = read_digest_challenges(response);
    if (!challenges) return challenges.error();
    std::vector<Realm> next = realms_;
    size_t used = 0;
    std::optional<Error> problem;
    for (auto& c : challenges.value()) {
        if (!credentials_.realm.empty() && c.realm != credentials_.realm) {
            problem = make_error(std::string(kAuthWrongRealm), "challenged for realm \"" + c.realm +
                                                                   "\", the credentials are for \"" +
                                                                   credentials_.realm + "\"");
            continue;
        }
        if (retried && !c.stale) {
            return make_error(std::string(kAuthRejected),
                              "the credentials of " + credentials_.username + " were rejected for realm \"" +
                                  c.realm + "\" (" + std::to_string(response.status()) + " " +
                                  std::string(response.reason()) + ")");
        }
        Realm* slot = nullptr;
        for (auto& r : next)
            if (r.challenge.realm == c.realm && r.challenge.proxy == c.proxy) slot = &r;
        if (!slot) slot = &next.emplace_back();
        if (slot->challenge.nonce != c.nonce) slot->nc = 0;
        slot->challenge = c;
        ++used;
    }
    if (used == 0) return problem ? *problem : make_error(std::string(kAuthNoChallenge), "no usable challenge");
    realms_ = std::move(next);
    return Ok{};
}

std::string DigestClient::ha1_for(std::string_view realm) const {
    if (!credentials_.ha1.empty()) return credentials_.ha1;
    return digest_ha1(credentials_.username, realm, credentials_.password);
}

std::vector<AuthorizationHeader> DigestClient::authorize(std::string_view method, std::string_view uri,
                                                         std::string_view cnonce) {
    std::vector<AuthorizationHeader> out;
    for (auto& r : realms_) {
        ++r.nc;
        DigestInput in{method, uri, cnonce, r.nc};
        DigestCredentials cred = credentials_;
        if (cred.ha1.empty()) cred.ha1 = ha1_for(r.challenge.realm);
        out.push_back({r.challenge.proxy ? "Proxy-Authorization" : "Authorization",
                       authorization_value(r.challenge, cred, in)});
    }
    return out;
}

}  // namespace sb::sip
