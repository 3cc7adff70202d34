// The typed readers of the SIP message layer: URIs, name-addr values, Via, CSeq, the scalar
// fields, Content-Type and digest challenges/credentials, each with the reasons they give.
#include <doctest/doctest.h>

#include <string>

#include "sip/address.h"
#include "sip/fields.h"
#include "sip/uri.h"

using namespace sb;
using namespace sb::sip;

namespace {
template <class T>
T must(Result<T> r) {
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r.value();
}
template <class T>
std::string why(const Result<T>& r) {
    REQUIRE_MESSAGE(!r.ok(), "accepted");
    CHECK(r.error().code == "sip_bad_header");
    return r.error().message;
}
}  // namespace

// ---- URIs --------------------------------------------------------------------------------------
TEST_CASE("SIP URI: user, password, host, port, parameters and headers") {
    auto u = must(parse_uri("sips:alice:secret@Atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent"));
    CHECK(u.scheme == Scheme::sips);
    CHECK(u.is_sip());
    CHECK(u.user == "alice");
    CHECK(u.password == "secret");
    CHECK(u.host == "Atlanta.example.com");
    CHECK(u.port == 5061);
    CHECK(u.params.size() == 3);
    CHECK(u.params.text("TRANSPORT") == "tcp");  // names are case-insensitive
    CHECK(u.params.contains("lr"));
    CHECK_FALSE(u.params.find("lr")->has_value);
    CHECK(u.headers.size() == 2);
    CHECK(u.headers.text("subject") == "project x");
    CHECK(u.headers.text("priority") == "urgent");

    auto v6 = must(parse_uri("sip:[2001:db8::10]:5070;transport=ws"));
    CHECK(v6.host == "[2001:db8::10]");
    CHECK(v6.port == 5070);
    CHECK_FALSE(v6.has_user());
    auto empty_password = must(parse_uri("sip:bob:@example.com"));
    CHECK(empty_password.has_password);
    CHECK(empty_password.password.empty());
    auto tel = must(parse_uri("tel:+1-201-555-0123;phone-context=example.com"));
    CHECK(tel.scheme == Scheme::tel);
    CHECK(tel.user == "+1-201-555-0123");
    CHECK(tel.params.text("phone-context") == "example.com");
    auto urn = must(parse_uri("urn:service:sos"));
    CHECK(urn.scheme == Scheme::other);
    CHECK(urn.opaque == "service:sos");
    CHECK(must(parse_uri("SIP:bob@example.com")).scheme == Scheme::sip);

    CHECK(why(parse_uri("")) == "URI is empty");
    CHECK(why(parse_uri("bob@example.com")) == "URI 'bob@example.com' has no scheme");
    CHECK(why(parse_uri("sip:@example.com")) == "URI has an empty user part");
    CHECK(why(parse_uri("sip:b b@example.com")) == "URI user part has ' '");
    CHECK(why(parse_uri("sip:b%zz@example.com")) == "URI user part has an invalid %-escape");
    CHECK(why(parse_uri("sip:bob@[2001:db8::1")) == "URI has an unterminated IPv6 reference");
    CHECK(why(parse_uri("sip:bob@[zz]")) == "URI has an invalid IPv6 reference [zz]");
    CHECK(why(parse_uri("sip:bob@example.com:")) == "URI port '' is not a port number (0-65535)");
    CHECK(why(parse_uri("sip:bob@example.com;;lr")) == "empty parameter in URI");
    CHECK(why(parse_uri("sip:bob@example.com;a=")) == "parameter a has an empty value in URI");
    CHECK(why(parse_uri("sip:bob@example.com?x")) == "header x has no '=' in URI headers");
    CHECK(why(parse_uri("sip:bob@example.com>")) == "URI has unexpected '>' after bob@example.com");
    CHECK(why(parse_uri("tel:")) == "URI has no telephone number");
    CHECK(why(parse_uri("http:")) == "URI 'http:' is empty after its scheme");
    CHECK(why(parse_uri("http://a b")) == "URI 'http://a b' has ' '");
}

// ---- name-addr ---------------------------------------------------------------------------------
TEST_CASE("SIP name-addr: display names, brackets, parameters, and their errors") {
    auto a = must(parse_name_addr("  \"Alice \\\"A\\\" Liddell\"   <sip:alice@example.com;transport=tcp> ;tag=88sja8x ;x", "From"));
    CHECK(a.display_name == "\"Alice \\\"A\\\" Liddell\"");
    CHECK(a.display_name_text() == "Alice \"A\" Liddell");
    CHECK(a.bracketed);
    CHECK(a.uri.params.text("transport") == "tcp");
    CHECK(a.tag() == "88sja8x");
    CHECK(a.params.size() == 2);
    auto tokens = must(parse_name_addr("Bob  Smith <sip:bob@example.com>", "To"));
    CHECK(tokens.display_name == "Bob  Smith");
    auto spec = must(parse_name_addr("sip:carol@example.com;tag=1", "To"));
    CHECK_FALSE(spec.bracketed);
    CHECK(spec.uri.params.empty());
    CHECK(spec.tag() == "1");
    auto star = must(parse_name_addr_list("*", "Contact", true));
    REQUIRE(star.size() == 1);
    CHECK(star[0].star);
    auto quoted_param = must(parse_name_addr("<sip:a@example.com>;+sip.instance=\"<urn:uuid:f81d4fae>\"", "Contact"));
    CHECK(quoted_param.params.text("+sip.instance") == "<urn:uuid:f81d4fae>");

    CHECK(why(parse_name_addr("", "From")) == "From is empty");
    CHECK(why(parse_name_addr("*", "To")) == "To cannot be *");
    CHECK(why(parse_name_addr_list("*, <sip:a@b>", "Contact", true)) == "Contact: * must be the only value");
    CHECK(why(parse_name_addr_list("<sip:a@b>,,<sip:c@d>", "Contact")) == "empty element in the Contact list");
    CHECK(why(parse_name_addr("\"Alice <sip:a@b>", "From")) == "unterminated quoted string in From display name");
    CHECK(why(parse_name_addr("\"Alice\" sip:a@b", "From")) == "From display name \"Alice\" must be followed by a URI in <>");
    CHECK(why(parse_name_addr("A@B <sip:a@b>", "From")) ==
          "non-token character '@' in unquoted From display name 'A@B' (it must be quoted)");
    CHECK(why(parse_name_addr("<sip:a@b", "To")) == "missing '>' after the To URI in To");
    CHECK(why(parse_name_addr("<>", "To")) == "empty <> in To");
    CHECK(why(parse_name_addr("< sip:a@b>", "To")) == "whitespace inside <> around the To URI 'sip:a@b'");
    CHECK(why(parse_name_addr("<sip:a@b> junk", "To")) == "unexpected 'j' in To");
    CHECK(why(parse_name_addr("<sip:a@b>;tag=", "To")) == "parameter tag has an empty value in To");
    CHECK(why(parse_name_addr("<sip:a@b>;tag=1;;", "To")) == "empty parameter after parameter tag in To");
    CHECK(why(parse_name_addr("<sip:a@b>;p=\"x", "To")) == "unterminated quoted string in parameter p in To");
    CHECK(why(parse_name_addr("sip:a@b?h=v", "Contact")) == "Contact URI with headers (?h=v) must be enclosed in <>");

    // Refer-To of an attended transfer: the Replaces header travels %-escaped in the URI.
    auto refer = must(parse_name_addr("<sip:bob@biloxi.example.com?Replaces=12345%40192.0.2.1%3Bto-tag%3D7743%3Bfrom-tag%3D6472>",
                                    "Refer-To"));
    CHECK(refer.uri.headers.text("replaces") == "12345@192.0.2.1;to-tag=7743;from-tag=6472");

    auto c = must(parse_name_addr("<sip:a@b>;expires=3600;q=1.000", "Contact"));
    CHECK(must(contact_expires(c)) == 3600u);
    CHECK(must(contact_q(c)) == 1000);
    for (const char* q : {"1.5", "2", "0.1234", ".5", "1.001", "0.5x"}) {
        std::string value = std::string("<sip:a@b>;q=") + q;  // the NameAddr points into it
        auto bad = must(parse_name_addr(value, "Contact"));
        CHECK_MESSAGE(!contact_q(bad).ok(), q);
    }
    CHECK(must(contact_q(must(parse_name_addr("<sip:a@b>;q=0", "Contact")))) == 0);
    CHECK_FALSE(must(contact_expires(must(parse_name_addr("<sip:a@b>", "Contact")))).has_value());
}

// ---- Via ---------------------------------------------------------------------------------------
TEST_CASE("SIP Via: protocol, sent-by, branch, received, rport") {
    auto v = must(parse_via("SIP/2.0/WSS [2001:db8::9] : 443 ;branch=z9hG4bK-1;received=2001:db8::10;rport=5061;ttl=16"));
    CHECK(v.transport == "WSS");
    CHECK(v.host == "[2001:db8::9]");
    CHECK(v.port == 443);
    CHECK(v.branch() == "z9hG4bK-1");
    CHECK(v.received() == "2001:db8::10");
    CHECK(v.has_rport());
    CHECK(v.rport() == 5061);
    auto plain = must(parse_via("SIP/2.0/UDP pc33.example.com"));
    CHECK(plain.branch().empty());
    CHECK_FALSE(plain.port.has_value());
    CHECK_FALSE(plain.received().has_value());

    CHECK(why(parse_via("")) == "empty Via value");
    CHECK(why(parse_via("SIP/2.0 host")) == "Via 'SIP/2.0 host' does not start with protocol/version/transport");
    CHECK(why(parse_via("SIP/2.0/UDP")) == "Via 'SIP/2.0/UDP' has no sent-by after its transport");
    CHECK(why(parse_via("SIP/2.0/UDP ;branch=1")) == "Via 'SIP/2.0/UDP ;branch=1' has no valid sent-by host");
    CHECK(why(parse_via("SIP/2.0/UDP h:70000")) == "Via sent-by port '70000' is not a port number (0-65535)");
    CHECK(why(parse_via("SIP/2.0/UDP h;branch")) == "Via parameter branch has no value");
    CHECK(why(parse_via("SIP/2.0/UDP h;rport=x")) == "Via rport=x is not a port number");
    CHECK(why(parse_via("SIP/2.0/UDP h;ttl=256")) == "Via ttl=256 is not 0-255");
}

// ---- scalar fields -----------------------------------------------------------------------------
TEST_CASE("SIP CSeq, Max-Forwards, Expires, Content-Length, Call-ID") {
    auto c = must(parse_cseq(" 4294967295   ACK "));
    CHECK(c.number == 4294967295u);
    CHECK(c.method == "ACK");
    CHECK(why(parse_cseq("4294967296 ACK")) == "CSeq number 4294967296 out of range (0-4294967295)");
    CHECK(why(parse_cseq("ACK")) == "CSeq 'ACK' does not start with a sequence number");
    CHECK(why(parse_cseq("1ACK")) == "CSeq '1ACK' needs whitespace between number and method");
    CHECK(why(parse_cseq("1 A;CK")) == "CSeq method 'A;CK' is not a token");
    CHECK(must(parse_max_forwards("00000000000000000000000000070")) == 70u);
    CHECK(why(parse_max_forwards("256")) == "Max-Forwards 256 out of range (0-255)");
    CHECK(why(parse_max_forwards("-1")) == "Max-Forwards '-1' is not a number");
    CHECK(must(parse_delta_seconds("4294967295", "Expires")) == 4294967295u);
    CHECK(why(parse_delta_seconds("4294967296", "Expires")) == "Expires 4294967296 out of range (0-4294967295)");
    CHECK(why(parse_delta_seconds("1h", "Min-Expires")) == "Min-Expires '1h' is not a number of seconds");
    CHECK(must(parse_content_length("0")) == 0u);
    CHECK(check_call_id("f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com").ok());
    CHECK(check_call_id("plainword").ok());
    CHECK(check_call_id("").error().message == "Call-ID is empty");
    CHECK(check_call_id("a@").error().message == "Call-ID 'a@' must be word or word@word");
    CHECK(check_call_id("a b").error().message == "Call-ID 'a b' has ' '");
}

TEST_CASE("SIP Content-Type") {
    auto t = must(parse_media_type("Multipart / Related ; type=\"application/sdp\" ;boundary=abc"));
    CHECK(t.is("multipart", "related"));
    CHECK(t.params.text("type") == "application/sdp");
    CHECK(t.params.text("boundary") == "abc");
    CHECK(why(parse_media_type("application")) == "Content-Type 'application' is not type/subtype");
    CHECK(why(parse_media_type("application/")) == "Content-Type 'application/' has no subtype");
    CHECK(why(parse_media_type("text/plain;;")) == "empty parameter in Content-Type");
}

// ---- digest ------------------------------------------------------------------------------------
TEST_CASE("SIP digest challenge and credentials") {
    auto challenge = must(parse_auth(
        "Digest realm=\"atlanta.example.com\", qop=\"auth,auth-int\", "
        "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\",opaque=\"\" , stale=FALSE, algorithm=MD5",
        "WWW-Authenticate"));
    CHECK(challenge.is_digest());
    CHECK(challenge.param("realm") == "atlanta.example.com");
    CHECK(challenge.param("NONCE") == "ea9c8e88df84f1cec4341ae6cbe5a359");
    CHECK(challenge.param("opaque") == "");
    CHECK(challenge.param("stale") == "FALSE");
    CHECK(challenge.param("algorithm") == "MD5");
    CHECK_FALSE(challenge.param("domain").has_value());
    CHECK(challenge.qop_options() == std::vector<std::string>{"auth", "auth-int"});

    auto cred = must(parse_auth(
        "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
        "uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
        "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    CHECK(cred.param("username") == "bob");
    CHECK(cred.param("uri") == "sip:bob@biloxi.com");
    CHECK(cred.param("qop") == "auth");
    CHECK(cred.param("nc") == "00000001");
    CHECK(cred.params.size() == 9);
    auto escaped = must(parse_auth("Digest username=\"a\\\"b\""));
    CHECK(escaped.param("username") == "a\"b");

    CHECK(why(parse_auth("")) == "Authorization '' has no scheme");
    CHECK(why(parse_auth("Digest")) == "Authorization has no parameters after Digest");
    CHECK(why(parse_auth("Digest realm")) == "Authorization parameter realm has no '='");
    CHECK(why(parse_auth("Digest realm=")) == "Authorization parameter realm has an empty value");
    CHECK(why(parse_auth("Digest realm=\"x")) == "unterminated quoted string in Authorization parameter realm");
    CHECK(why(parse_auth("Digest realm=x nonce=y")) == "unexpected 'n' after parameter realm in Authorization");
    CHECK(why(parse_auth("Digest realm=x,,nonce=y", "Proxy-Authorization")) ==
          "empty or malformed parameter at ',nonce=y' in Proxy-Authorization");
}

TEST_CASE("SIP Date") {
    CHECK(check_date("Thu, 21 Feb 2002 13:02:03 GMT").ok());
    CHECK(check_date("Thu, 21 Feb 2002 13:02:03 UTC").error().message ==
          "Date 'Thu, 21 Feb 2002 13:02:03 UTC' must be in GMT, not UTC");
    CHECK(check_date("Thursday, 21 Feb 2002 13:02:03 GMT").error().message ==
          "Date 'Thursday, 21 Feb 2002 13:02:03 GMT' is not an RFC 1123 date");
    CHECK_FALSE(check_date("").ok());
}
