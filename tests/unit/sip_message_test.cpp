// The SIP parser against the 49 torture messages of RFC 4475 (../shared/conformance/
// sip-rfc4475, with its MANIFEST.tsv): every valid message parses and its fields read right
// (the specifics section 3.1.1 discusses), every invalid one is rejected with its reason,
// and the transaction/application/compat ones parse with the data those layers need.
// (sip_corpus_test.cpp puts the whole corpus through the serializer, truncation and mutation.)
//
// Leniency: the only `invalid` message accepted is baddate.dat (3.1.2.12). The RFC says an
// element "shouldn't" reject it unless the Date matters to its processing; nothing in a UA
// does, so the parser keeps Date raw and check_date() reports the non-GMT zone on demand.
// lwsstart, trws and escruri also permit leniency in the RFC's text; they are rejected.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sip/address.h"
#include "sip/checks.h"
#include "sip/fields.h"
#include "sip/message.h"
#include "sip_corpus.h"
#include "../common/sip_read_all.h"

using namespace sb;
using namespace sb::sip;

namespace {

using sip_corpus::Entry;
using sip_corpus::manifest;
std::string read_corpus(const std::string& name) { return sip_corpus::read(name); }

Message corpus_ok(const std::string& file, Framing framing = Framing::message) {
    ParseOptions o;
    o.framing = framing;
    auto r = parse_message(read_corpus(file), o);
    REQUIRE_MESSAGE(r.ok(), file << ": " << (r.ok() ? "" : r.error().message));
    return r.value();
}

Error corpus_error(const std::string& file) {
    auto r = parse_message(read_corpus(file));
    REQUIRE_MESSAGE(!r.ok(), file << " was accepted");
    return r.error();
}

std::string value_of(const Message& m, std::string_view name) {
    auto h = m.find(name);
    REQUIRE_MESSAGE(h.has_value(), "no header " << name);
    return std::string(h->value);
}

template <class T>
T ok(Result<T> r) {
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r.value();
}

using sip_test::read_everything;

}  // namespace

// ---- the manifest -----------------------------------------------------------------------------
TEST_CASE("RFC 4475: every message of the manifest is accepted or rejected as its class says") {
    auto entries = manifest();
    CHECK(entries.size() == 49);
    std::map<std::string, int> per_class;
    for (const auto& e : entries) {
        ++per_class[e.cls];
        auto r = parse_message(read_corpus(e.file));
        bool lenient = e.file == "baddate.dat";  // see the top of this file
        if (e.cls == "invalid" && !lenient) {
            CHECK_MESSAGE(!r.ok(), e.file << " (" << e.title << ") was accepted");
            if (!r.ok()) {
                CHECK_MESSAGE(!r.error().message.empty(), e.file);
                CHECK_MESSAGE(r.error().code.rfind("sip_", 0) == 0, e.file);
            }
        } else {
            CHECK_MESSAGE(r.ok(), e.file << " (" << e.title << "): " << (r.ok() ? "" : r.error().message));
            if (r.ok()) read_everything(r.value());
        }
    }
    CHECK(per_class["valid"] == 13);
    CHECK(per_class["invalid"] == 19);
    CHECK(per_class["transaction"] + per_class["application"] + per_class["compat"] == 17);
}

// ---- 3.1.1 valid messages ---------------------------------------------------------------------
TEST_CASE("RFC 4475 3.1.1.1 wsinv: folding, odd spacing, case, compact forms, leading zeros") {
    Message m = corpus_ok("wsinv.dat");
    CHECK(m.method() == "INVITE");
    CHECK(m.uri() == "sip:vivekg@chair-dnrc.example.com;unknownparam");
    auto ruri = ok(parse_uri(m.uri()));
    CHECK(ruri.user == "vivekg");
    CHECK(ruri.host == "chair-dnrc.example.com");
    CHECK(ruri.params.contains("unknownparam"));
    CHECK(m.header_count() == 14);
    CHECK(m.header(0).name == "TO");
    CHECK(m.header(0).canonical == "To");
    CHECK(m.header(2).name == "MaX-fOrWaRdS");
    CHECK(m.header(2).canonical == "Max-Forwards");

    auto to = ok(read_to(m));
    CHECK_FALSE(to.bracketed);
    CHECK(to.uri.user == "vivekg");
    CHECK(to.tag() == "1918181833n");
    auto from = ok(read_from(m));
    CHECK(from.display_name_text() == "J Rosenberg \\\"");
    CHECK(from.uri.user == "jdrosen");
    CHECK(from.tag() == "98asjd8");  // after ";" and "tag = " on folded lines

    CHECK(ok(read_max_forwards(m)) == 68u);  // "0068"
    auto cseq = ok(read_cseq(m));            // "0009\r\n  INVITE"
    CHECK(cseq.number == 9u);
    CHECK(cseq.method == "INVITE");
    CHECK(value_of(m, "Call-ID") == "wsinv.ndaksdj@192.0.2.1");

    auto vias = ok(read_vias(m));  // one Via, then two in one folded "v:" header
    REQUIRE(vias.size() == 3);
    CHECK(vias[0].protocol_name == "SIP");
    CHECK(vias[0].protocol_version == "2.0");
    CHECK(vias[0].transport == "UDP");
    CHECK(vias[0].host == "192.0.2.2");
    CHECK(vias[0].branch() == "390skdjuw");
    CHECK(vias[1].transport == "TCP");
    CHECK(vias[1].host == "spindle.example.com");
    CHECK(vias[1].branch() == "z9hG4bK9ikj8");
    CHECK(vias[2].transport == "UDP");
    CHECK(vias[2].host == "192.168.255.111");
    CHECK(vias[2].branch() == "z9hG4bK30239");

    CHECK(m.find("Subject").has_value());  // "s :" with an empty value
    CHECK(value_of(m, "subject").empty());
    CHECK(value_of(m, "NewFangledHeader") == "newfangled value continued newfangled value");
    CHECK(value_of(m, "UnknownHeaderWithUnusualValue") == ";;,,;;,;");

    auto route = ok(read_route(m));
    REQUIRE(route.size() == 1);
    CHECK(route[0].uri.host == "services.example.com");
    CHECK(route[0].uri.params.contains("lr"));
    CHECK(route[0].uri.params.text("unknownwith") == "value");
    CHECK(route[0].uri.params.contains("unknown-no-value"));

    auto contacts = ok(read_contacts(m));
    REQUIRE(contacts.size() == 1);
    CHECK(contacts[0].display_name_text() == "Quoted string \"\"");
    CHECK(contacts[0].params.text("newparam") == "newvalue");
    CHECK(contacts[0].params.contains("secondparam"));
    CHECK_FALSE(contacts[0].params.find("secondparam")->has_value);
    CHECK(ok(contact_q(contacts[0])) == 330);

    CHECK(ok(read_content_type(m))->is("application", "sdp"));
    CHECK(m.body().size() == 150);
    CHECK(m.body().substr(0, 5) == "v=0\r\n");
    CHECK(check_semantics(m).ok());
}

TEST_CASE("RFC 4475 3.1.1.2 intmeth: the whole range of token, word and quoted-string characters") {
    Message m = corpus_ok("intmeth.dat");
    const std::string method = "!interesting-Method0123456789_*+`.%indeed'~";
    CHECK(m.method() == method);
    auto ruri = ok(parse_uri(m.uri()));
    CHECK(ruri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    CHECK(ruri.has_password);
    CHECK(ruri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    CHECK(ruri.host == "example.com");

    CHECK(ok(read_vias(m))[0].branch() == "z9hG4bK-.!%66*_+`'~");
    auto to = ok(read_to(m));
    CHECK(to.display_name_text() == std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));  // quoted-pairs
    CHECK(to.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    auto from = ok(read_from(m));
    CHECK(from.display_name == "token1~` token2'+_ token3*%!.-");  // unquoted tokens
    CHECK(from.uri.user == "mundane");
    CHECK(from.tag() == "_token~1'+`*%!-.");
    CHECK(from.params.text("fromParam''~+*_!.-%") == "\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9");
    CHECK(value_of(m, "Call-ID") == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    auto cseq = ok(read_cseq(m));
    CHECK(cseq.number == 139122385u);
    CHECK(cseq.method == method);
    CHECK(ok(read_max_forwards(m)) == 255u);
    CHECK(value_of(m, "extensionHeader-!.%*+_`'~") == "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb");
    CHECK(m.body().empty());
}

TEST_CASE("RFC 4475 3.1.1.3 esc01: %-escapes in user parts and URI parameters") {
    Message m = corpus_ok("esc01.dat");
    auto ruri = ok(parse_uri(m.uri()));
    CHECK(ruri.user_text() == "sips:user@example.com");  // an escaped URI inside the user part
    CHECK(ruri.host == "example.net");
    CHECK(ok(read_to(m)).uri.user_text() == "user");
    CHECK(ok(read_from(m)).uri.user_text() == "I have spaces");
    CHECK(value_of(m, "Call-ID") == "esc01.239409asdfakjkn23onasd0-3234");  // "i:"
    CHECK(ok(read_content_type(m))->is("application", "sdp"));        // "C:"
    auto contact = ok(read_contacts(m)).at(0);
    CHECK(contact.uri.user_text() == "caller");
    CHECK(contact.uri.params.contains("lr"));                          // ";%6C%72"
    CHECK(contact.uri.params.text("name") == "value%41");              // n%61me=v%61lue%25%34%31
    CHECK(m.body().size() == 150);
}

TEST_CASE("RFC 4475 3.1.1.4 escnull: escaped NULs in URIs") {
    Message m = corpus_ok("escnull.dat");
    CHECK(m.method() == "REGISTER");
    CHECK(ok(read_to(m)).uri.user_text() == std::string("null-\0-null", 11));
    CHECK(ok(read_from(m)).uri.user_text() == std::string("null-\0-null", 11));
    auto contacts = ok(read_contacts(m));
    REQUIRE(contacts.size() == 2);
    CHECK(contacts[0].uri.user_text() == std::string("\0", 1));
    CHECK(contacts[1].uri.user_text() == std::string("\0\0", 2));
    CHECK(value_of(m, "Content-Length") == "0");  // "L:0"
}

TEST_CASE("RFC 4475 3.1.1.5 esc02: % where it is not an escape") {
    Message m = corpus_ok("esc02.dat");
    CHECK(m.method() == "RE%47IST%45R");  // an unknown method, not REGISTER
    CHECK(ok(read_cseq(m)).method == "RE%47IST%45R");
    CHECK(ok(read_to(m)).display_name_text() == "%Z%45");
    CHECK(ok(read_from(m)).display_name_text() == "%Z%45");
    CHECK(ok(read_vias(m))[0].branch() == "z9hG4bK209%fzsnel234");
    CHECK(m.count(HeaderId::contact) == 2);  // "C%6Fntact" is another header
    CHECK(ok(read_contacts(m)).size() == 2);
    auto odd = m.find("C%6Fntact");
    REQUIRE(odd);
    CHECK(odd->id == HeaderId::other);
    CHECK(odd->value == "<sip:alias2@host2.example.com>");
}

TEST_CASE("RFC 4475 3.1.1.6 lwsdisp: no LWS between display name and <") {
    Message m = corpus_ok("lwsdisp.dat");
    auto from = ok(read_from(m));
    CHECK(from.display_name == "caller");
    CHECK(from.uri.user == "caller");
    CHECK(from.tag() == "323");
}

TEST_CASE("RFC 4475 3.1.1.7 longreq: long values everywhere") {
    Message m = corpus_ok("longreq.dat");
    auto to = ok(read_to(m));
    CHECK(to.display_name_text().find("extremeextremeextremeextremeextremeextremeextremeextremeextremeextreme proportion") !=
          std::string::npos);
    CHECK(to.uri.port == 6000);
    CHECK(to.uri.params.contains("unknownparam1"));
    CHECK(to.uri.params.text("unknownparam1")->size() > 80);
    CHECK(to.uri.params.size() == 3);
    auto from = ok(read_from(m));  // "F:"
    CHECK(from.uri.user.size() == 5 * std::string_view("amazinglylongcallername").size());
    CHECK(from.tag().size() > 150);
    CHECK(from.params.size() == 3);
    CHECK(value_of(m, "Call-ID").size() > 100);
    auto vias = ok(read_vias(m));
    REQUIRE(vias.size() == 34);  // in every spelling: Via, v, V, ViA, VIA, via, "V :" ...
    CHECK(vias[0].host == "sip33.example.com");
    CHECK(vias[32].host == "sip1.example.com");
    CHECK(vias[33].received() == "192.0.2.5");
    CHECK(vias[33].branch().size() > 200);
    auto unknown = m.find("Unknown-LongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLongLong-Name");
    REQUIRE(unknown);
    CHECK(unknown->value.substr(0, 20) == "unknown-longlonglong");
    CHECK(ok(read_contacts(m))[0].uri.user == from.uri.user);
    CHECK(m.body().size() == 150);
}

TEST_CASE("RFC 4475 3.1.1.8 dblreq: octets after Content-Length in a datagram are ignored") {
    std::string bytes = read_corpus("dblreq.dat");
    Message m = corpus_ok("dblreq.dat");
    CHECK(m.method() == "REGISTER");
    CHECK(m.body().empty());
    CHECK(m.ignored_bytes() > 0);
    CHECK(m.wire_size() + m.ignored_bytes() == bytes.size());
    CHECK(std::string_view(bytes).substr(m.wire_size()).find("INVITE sip:joe@example.com") != std::string_view::npos);
    // On a stream the same bytes are two messages back to back.
    Message first = corpus_ok("dblreq.dat", Framing::stream);
    CHECK(first.wire_size() == m.wire_size());
    ParseOptions stream;
    stream.framing = Framing::stream;
    auto second = parse_message(bytes.substr(first.wire_size()), stream);
    REQUIRE(second.ok());
    CHECK(second.value().method() == "INVITE");
    CHECK(second.value().body().size() == 150);
}

TEST_CASE("RFC 4475 3.1.1.9 semiuri: semicolons in the user part") {
    Message m = corpus_ok("semiuri.dat");
    auto ruri = ok(parse_uri(m.uri()));
    CHECK(ruri.user_text() == "user;par=u@example.net");
    CHECK(ruri.host == "example.com");
    CHECK(ruri.params.empty());
    auto accept = m.values(HeaderId::accept);  // folded over three lines
    REQUIRE(accept.size() == 6);
    CHECK(accept[0] == "application/sdp");
    CHECK(accept[2] == "multipart/mixed");
    CHECK(accept[5] == "message/sipfrag");
}

TEST_CASE("RFC 4475 3.1.1.10 transports: varied and unknown transports") {
    Message m = corpus_ok("transports.dat");
    auto vias = ok(read_vias(m));
    REQUIRE(vias.size() == 5);
    const char* expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
    for (size_t i = 0; i < 5; ++i) CHECK(vias[i].transport == expected[i]);
    CHECK(value_of(m, "Call-ID") == "transports.kijh4akdnaqjkwendsasfdj");
}

TEST_CASE("RFC 4475 3.1.1.11 mpart01: a multipart body with binary content") {
    Message m = corpus_ok("mpart01.dat");
    CHECK(m.method() == "MESSAGE");
    auto ct = ok(read_content_type(m));
    REQUIRE(ct);
    CHECK(ct->is("multipart", "mixed"));
    CHECK(ct->params.text("boundary") == "7a9cbec02ceef655");
    CHECK(m.body().size() == 553);
    CHECK(m.body().substr(0, 20) == "--7a9cbec02ceef655\r\n");
    CHECK(m.body().substr(553 - 24) == "\r\n--7a9cbec02ceef655--\r\n");
    auto via = ok(read_vias(m))[0];
    CHECK(via.port == 5070);
    CHECK(via.has_rport());
    CHECK_FALSE(via.rport().has_value());
    CHECK(value_of(m, "Identity").size() > 100);
}

TEST_CASE("RFC 4475 3.1.1.12 unreason: an unusual reason phrase") {
    std::string bytes = read_corpus("unreason.dat");
    Message m = corpus_ok("unreason.dat");
    CHECK(m.is_response());
    CHECK(m.status() == 200);
    std::string first_line = bytes.substr(0, bytes.find("\r\n"));
    CHECK(m.reason() == first_line.substr(12));
    CHECK(m.reason().substr(0, 14) == "= 2**3 * 5**2 ");
    CHECK(m.reason().size() > 60);  // UTF-8
    CHECK(m.body().size() == 154);
}

TEST_CASE("RFC 4475 3.1.1.13 noreason: an empty reason phrase") {
    Message m = corpus_ok("noreason.dat");
    CHECK(m.status() == 100);
    CHECK(m.reason().empty());
    CHECK(ok(read_cseq(m)).method == "INVITE");
}

// ---- 3.1.2 invalid messages -------------------------------------------------------------------
TEST_CASE("RFC 4475 3.1.2: each invalid message is rejected with its own reason") {
    struct Case {
        const char* file;
        std::string_view code;
        const char* reason;
    };
    const Case cases[] = {
        {"badinv01.dat", kBadHeader, "empty parameter in Via"},
        {"clerr.dat", kBadFraming, "Content-Length 9999 is larger than the 154-byte body"},
        {"ncl.dat", kBadFraming, "Content-Length -999 is not a non-negative integer"},
        {"scalar02.dat", kBadHeader, "CSeq number 36893488147419103232 out of range (0-4294967295)"},
        {"scalarlg.dat", kBadHeader, "CSeq number 9292394834772304023312 out of range (0-4294967295)"},
        {"quotbal.dat", kBadHeader, "unterminated quoted string in To display name"},
        {"ltgtruri.dat", kBadStartLine, "Request-URI must not be enclosed in <>"},
        {"lwsruri.dat", kBadStartLine, "Request-URI 'sip:user@example.com; lr' contains whitespace"},
        {"lwsstart.dat", kBadStartLine, "Request-Line elements must be separated by single spaces"},
        {"trws.dat", kBadStartLine, "Request-Line ends with whitespace after the SIP version"},
        {"escruri.dat", kBadStartLine, "Request-URI must not contain headers (?Route=%3Csip:example.com%3E)"},
        {"regbadct.dat", kBadHeader, "Contact URI with headers (?Route=%3Csip:sip.example.com%3E) must be enclosed in <>"},
        {"badaspec.dat", kBadHeader, "whitespace inside <> around the To URI 'sip:t.watson@example.org'"},
        {"baddn.dat", kBadHeader,
         "non-token character ',' in unquoted From display name 'Bell, Alexander' (it must be quoted)"},
        {"badvers.dat", kBadVersion, "unsupported SIP version SIP/7.0"},
        {"mismatch01.dat", kCSeqMismatch, "CSeq method INVITE does not match request method OPTIONS"},
        {"mismatch02.dat", kCSeqMismatch, "CSeq method INVITE does not match request method NEWMETHOD"},
        {"bigcode.dat", kBadStartLine, "status code 4294967301 out of range"},
    };
    for (const auto& c : cases) {
        Error e = corpus_error(c.file);
        CHECK_MESSAGE(e.code == c.code, c.file);
        CHECK_MESSAGE(e.message == c.reason, c.file);
    }
}

TEST_CASE("RFC 4475 3.1.2.4 scalar02: every overlarge scalar is caught by its reader") {
    std::string bytes = read_corpus("scalar02.dat");
    auto replace = [&](std::string_view from, std::string_view to) {
        size_t at = bytes.find(from);
        REQUIRE(at != std::string::npos);
        bytes.replace(at, from.size(), to);
    };
    replace("CSeq: 36893488147419103232", "CSeq: 36");
    auto r = parse_message(bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "Max-Forwards 300 out of range (0-255)");
    replace("Max-Forwards: 300", "Max-Forwards: 30");
    // Expires and Contact expires stay raw in the message: RFC 3261 20.19 and 20.10 say a
    // malformed value is treated as 3600, which is the registration layer's decision.
    Message m = parse_message(bytes).value();
    auto expires = read_expires(m);
    REQUIRE_FALSE(expires.ok());
    CHECK(expires.error().message.find("out of range (0-4294967295)") != std::string::npos);
    auto contact_exp = contact_expires(ok(read_contacts(m)).at(0));
    REQUIRE_FALSE(contact_exp.ok());
    CHECK(contact_exp.error().message == "Contact expires=280297596632815 is not delta-seconds (0 to 4294967295)");
}

TEST_CASE("RFC 4475 3.1.2.12 baddate: accepted, and check_date() names the problem") {
    Message m = corpus_ok("baddate.dat");
    auto date = m.find(HeaderId::date);
    REQUIRE(date);
    CHECK(date->value == "Fri, 01 Jan 2010 16:00:00 EST");
    auto checked = check_date(date->value);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().message == "Date 'Fri, 01 Jan 2010 16:00:00 EST' must be in GMT, not EST");
    CHECK(check_date("Sat, 15 Oct 2005 04:44:56 GMT").ok());
}

// ---- 3.2-3.4 transaction, application and compat messages -------------------------------------
TEST_CASE("RFC 4475 3.2.1 badbranch: a branch that is only the magic cookie") {
    Message m = corpus_ok("badbranch.dat");
    CHECK(ok(read_vias(m))[0].branch() == "z9hG4bK");
}

TEST_CASE("RFC 4475 3.3.1 insuf: missing required headers are the application's 400") {
    Message m = corpus_ok("insuf.dat");
    auto checked = check_semantics(m);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == "sip_missing_header");
    CHECK(checked.error().message == "missing required headers: From, To, Call-ID");
    CHECK(read_from(m).error().code == "sip_missing_header");
    CHECK_FALSE(ok(read_max_forwards(m)).has_value());
    CHECK(m.body().size() == 152);
}

TEST_CASE("RFC 4475 3.3.2-3.3.4: unknown and atypical URI schemes are kept as absolute URIs") {
    Message unkscm_message = corpus_ok("unkscm.dat"), novelsc_message = corpus_ok("novelsc.dat");
    auto unkscm = ok(parse_uri(unkscm_message.uri()));
    CHECK(unkscm.scheme == Scheme::other);
    CHECK(unkscm.scheme_name == "nobodyKnowsThisScheme");
    CHECK(unkscm.opaque == "totallyopaquecontent");
    auto novelsc = ok(parse_uri(novelsc_message.uri()));
    CHECK(novelsc.scheme == Scheme::other);
    CHECK(novelsc.scheme_name == "soap.beep");
    CHECK(novelsc.opaque == "//192.0.2.103:3002");
    Message unksm2 = corpus_ok("unksm2.dat");
    auto to = ok(read_to(unksm2));
    CHECK(to.uri.scheme_name == "isbn");
    CHECK(to.uri.opaque == "2983792873");
    auto from = ok(read_from(unksm2));
    CHECK(from.uri.scheme_name == "http");
    CHECK(from.tag() == "3234233");
    CHECK(ok(read_contacts(unksm2)).at(0).uri.text == "name:John_Smith");
}

TEST_CASE("RFC 4475 3.3.5 bext01: unknown Require and Proxy-Require option tags are visible") {
    Message m = corpus_ok("bext01.dat");
    auto require = m.values(HeaderId::require);
    REQUIRE(require.size() == 2);
    CHECK(require[0] == "nothingSupportsThis");
    CHECK(require[1] == "nothingSupportsThisEither");
    auto proxy_require = m.values(HeaderId::proxy_require);
    REQUIRE(proxy_require.size() == 2);
    CHECK(proxy_require[1] == "norDoAnyProxiesSupportThis");
    CHECK(ok(read_vias(m))[0].transport == "TLS");
}

TEST_CASE("RFC 4475 3.3.6 invut: an unknown Content-Type") {
    Message m = corpus_ok("invut.dat");
    auto ct = ok(read_content_type(m));
    CHECK(ct->type == "application");
    CHECK(ct->subtype == "unknownformat");
    CHECK(m.body().size() == 40);
    CHECK(m.body().substr(0, 7) == "<audio>");
}

TEST_CASE("RFC 4475 3.3.7 regaut01: an unknown authorization scheme") {
    Message m = corpus_ok("regaut01.dat");
    auto auth = ok(parse_auth(m.find(HeaderId::authorization)->value));
    CHECK(auth.scheme == "NoOneKnowsThisScheme");
    CHECK_FALSE(auth.is_digest());
    CHECK(auth.param("opaque-data") == "here");
    CHECK(value_of(m, "Content-Length") == "0");  // "Content-Length:0", no space
}

TEST_CASE("RFC 4475 3.3.8 multi01: several values in single-value headers are detected") {
    Message m = corpus_ok("multi01.dat");
    CHECK(m.count(HeaderId::cseq) == 2);
    CHECK(m.count(HeaderId::call_id) == 2);
    CHECK(m.count(HeaderId::to) == 2);
    CHECK(m.count(HeaderId::from) == 2);
    CHECK(m.count(HeaderId::max_forwards) == 2);
    auto problems = semantic_problems(m);
    REQUIRE(problems.size() == 5);
    CHECK(problems[0].code == "sip_duplicate_header");
    CHECK(problems[0].message == "From appears 2 times but allows one value");
    CHECK(problems[3].message == "CSeq appears 2 times but allows one value");
}

TEST_CASE("RFC 4475 3.3.9 mcl01: conflicting Content-Length values are detected") {
    Message m = corpus_ok("mcl01.dat");
    CHECK(m.content_length_conflict());
    CHECK(m.values(HeaderId::content_length) == std::vector<std::string_view>{"13", "5"});
    CHECK(m.body().substr(0, 13) == "There's no wa");  // the rest of the datagram
    auto checked = check_semantics(m);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == "sip_bad_framing");
    CHECK(checked.error().message == "Content-Length appears more than once with different values (13, 5)");
    ParseOptions stream;
    stream.framing = Framing::stream;
    auto r = parse_message(read_corpus("mcl01.dat"), stream);  // unrecoverable on a stream
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == kBadFraming);
}

TEST_CASE("RFC 4475 3.3.10 bcast: a broadcast Via in a 200") {
    Message m = corpus_ok("bcast.dat");
    CHECK(m.status() == 200);
    CHECK(m.reason() == "OK");
    auto vias = ok(read_vias(m));
    REQUIRE(vias.size() == 2);
    CHECK(vias[1].host == "255.255.255.255");
}

TEST_CASE("RFC 4475 3.3.11 zeromf: Max-Forwards 0") {
    Message m = corpus_ok("zeromf.dat");
    CHECK(ok(read_max_forwards(m)) == 0u);
}

TEST_CASE("RFC 4475 3.3.12-3.3.14: Contact parameters, URI parameters and escaped URI headers") {
    Message cparam01 = corpus_ok("cparam01.dat"), cparam02 = corpus_ok("cparam02.dat"), regescrt = corpus_ok("regescrt.dat");
    auto c1 = ok(read_contacts(cparam01)).at(0);
    CHECK_FALSE(c1.bracketed);
    CHECK(c1.uri.user == "+19725552222");
    CHECK(c1.uri.params.empty());
    CHECK(c1.params.contains("unknownparam"));  // a header parameter outside <>
    auto c2 = ok(read_contacts(cparam02)).at(0);
    CHECK(c2.bracketed);
    CHECK(c2.uri.params.contains("unknownparam"));  // a URI parameter inside <>
    CHECK(c2.params.empty());
    auto c3 = ok(read_contacts(regescrt)).at(0);  // "M:"
    CHECK(c3.uri.headers.text("Route") == "<sip:sip.example.com>");
}

TEST_CASE("RFC 4475 3.3.15 sdp01: an Accept the offer cannot satisfy") {
    Message m = corpus_ok("sdp01.dat");
    CHECK(m.values(HeaderId::accept) == std::vector<std::string_view>{"text/nobodyKnowsThis"});
    CHECK(ok(read_content_type(m))->is("application", "sdp"));
}

TEST_CASE("RFC 4475 3.4.1 inv2543: an RFC 2543 INVITE") {
    std::string bytes = read_corpus("inv2543.dat");
    Message m = corpus_ok("inv2543.dat");
    CHECK_FALSE(m.find(HeaderId::content_length));
    CHECK(m.body().size() == bytes.size() - bytes.find("\r\n\r\n") - 4);  // no Content-Length
    CHECK(m.body().substr(0, 3) == "v=0");
    CHECK(ok(read_vias(m))[0].branch().empty());
    CHECK(ok(read_from(m)).tag().empty());
    CHECK_FALSE(ok(read_max_forwards(m)).has_value());
    auto to = ok(read_to(m));
    CHECK(to.uri.params.empty());
    CHECK(to.params.text("user") == "phone");  // an addr-spec's parameters are the header's
    auto rr = ok(read_record_route(m));
    CHECK(rr.at(0).uri.params.text("maddr") == "ss1.example.com");
    CHECK(check_semantics(m).ok());  // Max-Forwards is not required (RFC 2543 compatibility)
}
