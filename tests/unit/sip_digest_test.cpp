// MD5 (RFC 1321's test suite) and SIP digest authentication (RFC 2617 3.5's worked example,
// and SIP examples whose digests were checked with an independent MD5, Python's hashlib).
#include <doctest/doctest.h>

#include <string>

#include "sip/digest.h"
#include "sip/message.h"
#include "util/md5.h"

using namespace sb;
using namespace sb::sip;

namespace {
Message parse(std::string text) {
    auto r = parse_message(std::move(text));
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r.value();
}
Message challenge_401(const std::string& www_authenticate, int status = 401) {
    std::string h = status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
    return parse("SIP/2.0 " + std::to_string(status) + " Unauthorized\r\n"
                 "Via: SIP/2.0/WSS a.invalid;branch=z9hG4bKx\r\n"
                 "From: <sip:alice@atlanta.example.com>;tag=1\r\nTo: <sip:alice@atlanta.example.com>;tag=2\r\n"
                 "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n" +
                 h + ": " + www_authenticate + "\r\nContent-Length: 0\r\n\r\n");
}
}  // namespace

// ---- MD5 ---------------------------------------------------------------------------------------
TEST_CASE("MD5: the RFC 1321 A.5 test suite") {
    CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
          "d174ab98d277d9f5a5611c2c9f419d9f");
    CHECK(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
          "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5: incremental updates across block boundaries give the same digest") {
    std::string data;
    for (int i = 0; i < 1000; ++i) data += char('a' + i % 26);
    std::string whole = md5_hex(data);
    for (size_t step : {1u, 7u, 55u, 56u, 63u, 64u, 65u, 200u}) {
        Md5 h;
        for (size_t i = 0; i < data.size(); i += step) h.update(std::string_view(data).substr(i, step));
        std::string hex;
        for (uint8_t b : h.digest()) {
            static const char k[] = "0123456789abcdef";
            hex += k[b >> 4];
            hex += k[b & 15];
        }
        CHECK_MESSAGE(hex == whole, "step " << step);
    }
    // Lengths around the padding edge (55, 56, 64 bytes) differ from each other.
    CHECK(md5_hex(std::string(55, 'x')) != md5_hex(std::string(56, 'x')));
}

// ---- digest ------------------------------------------------------------------------------------
TEST_CASE("digest: RFC 2617 3.5's worked example") {
    auto value = parse_auth(
        "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        "WWW-Authenticate");
    REQUIRE(value.ok());
    auto c = digest_challenge(value.value(), false);
    REQUIRE(c.ok());
    CHECK(c.value().qop_auth);
    CHECK(c.value().opaque == "5ccc069c403ebaf9f0171e9517f40e41");
    DigestCredentials cred{"Mufasa", "Circle Of Life", "", ""};
    DigestInput in{"GET", "/dir/index.html", "0a4f113b", 1};
    CHECK(digest_response(c.value(), digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life"), in) ==
          "6629fae49393a05397450978507c4ef1");
    CHECK(authorization_value(c.value(), cred, in) ==
          "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
          "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
          "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", "
          "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001");
}

TEST_CASE("digest: a SIP REGISTER with qop=auth, the nonce count, and a precomputed HA1") {
    auto m = challenge_401("Digest realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
                           "qop=\"auth\", algorithm=MD5");
    DigestClient client({"alice", "s3cret", "", "atlanta.example.com"});
    CHECK_FALSE(client.has_challenge());
    CHECK(client.authorize("REGISTER", "sip:atlanta.example.com", "x").empty());
    REQUIRE(client.on_challenge(m, false).ok());
    auto first = client.authorize("REGISTER", "sip:atlanta.example.com", "0a4f113b");
    REQUIRE(first.size() == 1);
    CHECK(first[0].name == "Authorization");
    CHECK(first[0].value.find("response=\"a4b35e452c9887e775e9c7ce12608c2d\"") != std::string::npos);
    CHECK(first[0].value.find("nc=00000001") != std::string::npos);
    // The same nonce again (a refresh): nc counts up.
    auto second = client.authorize("REGISTER", "sip:atlanta.example.com", "9c3f2e11");
    CHECK(second[0].value.find("response=\"edd47c3a06357250affabab4b45fd535\"") != std::string::npos);
    CHECK(second[0].value.find("nc=00000002") != std::string::npos);
    // The parameters read back with the credentials reader.
    auto back = parse_auth(second[0].value, "Authorization");
    REQUIRE(back.ok());
    CHECK(back.value().param("username") == "alice");
    CHECK(back.value().param("uri") == "sip:atlanta.example.com");
    CHECK(back.value().param("cnonce") == "9c3f2e11");

    // HA1 instead of the password gives the same answer.
    DigestClient by_ha1({"alice", "", "09289f79896d6ddccf6baee221522304", ""});
    REQUIRE(by_ha1.on_challenge(m, false).ok());
    CHECK(by_ha1.authorize("REGISTER", "sip:atlanta.example.com", "0a4f113b")[0].value == first[0].value);
}

TEST_CASE("digest: no qop (RFC 2069 compatibility), MD5-sess, and 407 from a proxy") {
    auto plain = challenge_401("Digest realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\"", 407);
    DigestClient client({"alice", "s3cret", "", ""});
    REQUIRE(client.on_challenge(plain, false).ok());
    auto h = client.authorize("INVITE", "sip:bob@biloxi.example.com", "ignored");
    REQUIRE(h.size() == 1);
    CHECK(h[0].name == "Proxy-Authorization");
    CHECK(h[0].value ==
          "Digest username=\"alice\", realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
          "uri=\"sip:bob@biloxi.example.com\", response=\"e7f2aaeeb21058ec8737436b880bbbc1\", algorithm=MD5");

    auto sess = parse_auth("Digest realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
                           "qop=\"auth\", algorithm=MD5-sess", "WWW-Authenticate");
    auto c = digest_challenge(sess.value(), false);
    REQUIRE(c.ok());
    CHECK(digest_response(c.value(), digest_ha1("alice", "atlanta.example.com", "s3cret"),
                          {"REGISTER", "sip:atlanta.example.com", "0a4f113b", 1}) ==
          "82d9ec62438e8d906d0bc15074740341");
}

TEST_CASE("digest: one retry per challenge; stale=true is not a rejection") {
    auto first = challenge_401("Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"");
    auto again = challenge_401("Digest realm=\"r\", nonce=\"n2\", qop=\"auth\"");
    auto stale = challenge_401("Digest realm=\"r\", nonce=\"n3\", qop=\"auth\", stale=TRUE");
    DigestClient client({"alice", "wrong", "", ""});
    REQUIRE(client.on_challenge(first, false).ok());
    CHECK(client.authorize("REGISTER", "sip:r", "c")[0].value.find("nonce=\"n1\"") != std::string::npos);
    auto rejected = client.on_challenge(again, true);
    REQUIRE_FALSE(rejected.ok());
    CHECK(rejected.error().code == "sip_auth_rejected");
    CHECK(rejected.error().message == "the credentials of alice were rejected for realm \"r\" (401 Unauthorized)");
    // Nothing changed: still the first nonce, counting on.
    CHECK(client.authorize("REGISTER", "sip:r", "c")[0].value.find("nc=00000002") != std::string::npos);
    // stale: the new nonce is taken and its count starts at 1.
    REQUIRE(client.on_challenge(stale, true).ok());
    auto h = client.authorize("REGISTER", "sip:r", "c")[0].value;
    CHECK(h.find("nonce=\"n3\"") != std::string::npos);
    CHECK(h.find("nc=00000001") != std::string::npos);
}

TEST_CASE("digest: unusable challenges are refused with their reason") {
    auto code = [](const std::string& v) {
        DigestClient client({"alice", "pw", "", "mine"});
        auto s = client.on_challenge(challenge_401(v), false);
        REQUIRE_FALSE(s.ok());
        CHECK_FALSE(client.has_challenge());
        return s.error().code + ": " + s.error().message;
    };
    CHECK(code("Basic realm=\"mine\"") == "sip_auth_no_challenge: WWW-Authenticate scheme Basic is not Digest");
    CHECK(code("Digest realm=\"mine\"") == "sip_auth_no_challenge: WWW-Authenticate Digest challenge without nonce");
    CHECK(code("Digest nonce=\"n\"") == "sip_auth_no_challenge: WWW-Authenticate Digest challenge without realm");
    CHECK(code("Digest realm=\"mine\", nonce=\"n\", algorithm=SHA-256") ==
          "sip_auth_unsupported: digest algorithm SHA-256 is not supported (MD5 only)");
    CHECK(code("Digest realm=\"mine\", nonce=\"n\", qop=\"auth-int\"") ==
          "sip_auth_unsupported: digest qop \"auth-int\" does not offer auth");
    CHECK(code("Digest realm=\"other\", nonce=\"n\"") ==
          "sip_auth_wrong_realm: challenged for realm \"other\", the credentials are for \"mine\"");
    CHECK(code("Digest realm=\"mine\", nonce") .find("sip_bad_header") == 0);

    DigestClient client({"alice", "pw", "", ""});
    auto none = client.on_challenge(parse("SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/WSS a.invalid;branch=z9hG4bKx\r\n"
                                          "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n"),
                                    false);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message == "401 response has no WWW-Authenticate header");
}

TEST_CASE("digest: quotes and backslashes in the username are escaped") {
    DigestChallenge c;
    c.realm = "r";
    c.nonce = "n";
    auto v = authorization_value(c, {"a\"b\\c", "pw", "", ""}, {"REGISTER", "sip:r", "", 1});
    CHECK(v.find("username=\"a\\\"b\\\\c\"") != std::string::npos);
    auto back = parse_auth(v, "Authorization");
    REQUIRE(back.ok());
    CHECK(back.value().param("username") == "a\"b\\c");
}
