// The SIP message layer on hand-written input: header names and compact forms, folding,
// quoting, list splitting, framing (message and stream), the builder and serializer, and
// hostile input that must be refused with a reason, never crash.
#include <doctest/doctest.h>

#include <string>

#include "sip/address.h"
#include "sip/checks.h"
#include "sip/fields.h"
#include "sip/message.h"

using namespace sb;
using namespace sb::sip;

namespace {

// Builds a message from lines joined with CRLF, ending with the empty line and `body`.
std::string wire(std::initializer_list<std::string_view> lines, std::string_view body = "") {
    std::string out;
    for (auto l : lines) out.append(l).append("\r\n");
    return out.append("\r\n").append(body);
}

const std::initializer_list<std::string_view> kBasic = {
    "OPTIONS sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds",
    "Max-Forwards: 70",
    "To: <sip:bob@example.com>",
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774",
    "Call-ID: a84b4c76e66710",
    "CSeq: 63104 OPTIONS",
    "Content-Length: 0",
};

Message parse_ok(std::string bytes, Framing framing = Framing::message) {
    ParseOptions o;
    o.framing = framing;
    auto r = parse_message(std::move(bytes), o);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return r.value();
}

Error parse_error(std::string bytes, Framing framing = Framing::message) {
    ParseOptions o;
    o.framing = framing;
    auto r = parse_message(std::move(bytes), o);
    REQUIRE_MESSAGE(!r.ok(), "accepted");
    CHECK_FALSE(r.error().message.empty());
    return r.error();
}

}  // namespace

// ---- names -------------------------------------------------------------------------------------
TEST_CASE("SIP header names: every compact form, any case, canonical spellings") {
    struct Compact {
        char letter;
        const char* name;
    };
    const Compact compact[] = {
        {'a', "Accept-Contact"}, {'b', "Referred-By"},  {'c', "Content-Type"},    {'d', "Request-Disposition"},
        {'e', "Content-Encoding"}, {'f', "From"},       {'i', "Call-ID"},         {'j', "Reject-Contact"},
        {'k', "Supported"},      {'l', "Content-Length"}, {'m', "Contact"},       {'n', "Identity-Info"},
        {'o', "Event"},          {'r', "Refer-To"},     {'s', "Subject"},         {'t', "To"},
        {'u', "Allow-Events"},   {'v', "Via"},          {'x', "Session-Expires"}, {'y', "Identity"},
    };
    for (const auto& c : compact) {
        HeaderId id = header_id(std::string(1, c.letter));
        CHECK_MESSAGE(canonical_name(id) == c.name, c.letter);
        CHECK(header_id(std::string(1, static_cast<char>(c.letter - 32))) == id);  // upper case too
        CHECK(compact_form(id) == c.letter);
        CHECK(header_id(c.name) == id);
    }
    for (char unused : {'g', 'h', 'p', 'q', 'w', 'z', '1', '-'}) CHECK(header_id(std::string(1, unused)) == HeaderId::other);
    CHECK(header_id("cseq") == HeaderId::cseq);
    CHECK(canonical_name(HeaderId::cseq) == "CSeq");
    CHECK(header_id("www-authenticate") == HeaderId::www_authenticate);
    CHECK(canonical_name(HeaderId::www_authenticate) == "WWW-Authenticate");
    CHECK(header_id("CALL-id") == HeaderId::call_id);
    CHECK(header_id("P-Asserted-Identity") == HeaderId::p_asserted_identity);
    CHECK(header_id("X-Custom") == HeaderId::other);
    CHECK(header_id("") == HeaderId::other);
    CHECK(is_list_header(HeaderId::via));
    CHECK(is_list_header(HeaderId::supported));
    CHECK_FALSE(is_list_header(HeaderId::www_authenticate));
    CHECK_FALSE(is_list_header(HeaderId::date));
}

TEST_CASE("SIP message: lookup by compact or full name finds the same header") {
    Message m = parse_ok(wire({"MESSAGE sip:bob@example.com SIP/2.0", "v: SIP/2.0/UDP h.example.com;branch=z9hG4bK1",
                               "f: <sip:a@example.com>;tag=1", "t: sip:bob@example.com", "i: x@y", "CSeq: 1 MESSAGE",
                               "c: text/plain", "k: 100rel, timer", "l: 5", "X-Custom: yes"},
                              "hello"));
    CHECK(m.find("Via")->name == "v");
    CHECK(m.find("v")->canonical == "Via");
    CHECK(m.find("CONTENT-TYPE")->value == "text/plain");
    CHECK(m.find("c")->value == "text/plain");
    CHECK(m.find(HeaderId::call_id)->value == "x@y");
    CHECK(m.find("x-custom")->value == "yes");
    CHECK(m.find("X-Custom")->canonical == "X-Custom");
    CHECK_FALSE(m.find("Contact").has_value());
    CHECK(m.values(HeaderId::supported) == std::vector<std::string_view>{"100rel", "timer"});
    CHECK(m.body() == "hello");
    CHECK(check_semantics(m).ok());
}

// ---- folding, quoting, lists -------------------------------------------------------------------
TEST_CASE("SIP folding: continuation lines (CRLF or LF, SP or HTAB) join with one SP") {
    Message m = parse_ok(wire({"OPTIONS sip:bob@example.com SIP/2.0", "Subject: first   ", "  second", "\t\tthird",
                               "Via: SIP/2.0/UDP", " h.example.com", " ;branch=z9hG4bK1", "CSeq:", " 7", " OPTIONS",
                               "To: sip:b@example.com", "From: \"a  ", "  b\" <sip:a@example.com>;tag=9"}));
    CHECK(m.find("Subject")->value == "first second third");
    CHECK(m.find("Via")->value == "SIP/2.0/UDP h.example.com ;branch=z9hG4bK1");
    CHECK(parse_cseq(m.find("CSeq")->value).value().number == 7u);
    CHECK(read_from(m).value().display_name_text() == "a b");  // LWS inside quotes is one SP too
    Message lf = parse_ok("OPTIONS sip:b@example.com SIP/2.0\nSubject: a\n b\nCSeq: 1 OPTIONS\n\nbody");
    CHECK(lf.find("Subject")->value == "a b");
    CHECK(lf.body() == "body");
}

TEST_CASE("SIP quoting: escapes, and commas or semicolons inside quotes and <>") {
    Message m = parse_ok(wire({"OPTIONS sip:b@example.com SIP/2.0",
                               "Contact: \"Doe, John \\\"JD\\\"\" <sip:j,d@example.com;a=1>;q=0.5, <sip:x@example.com>",
                               "Contact: sip:y@example.com;expires=60", "CSeq: 1 OPTIONS"}));
    auto contacts = read_contacts(m).value();
    REQUIRE(contacts.size() == 3);
    CHECK(contacts[0].display_name_text() == "Doe, John \"JD\"");
    CHECK(contacts[0].uri.user == "j,d");
    CHECK(contact_q(contacts[0]).value() == 500);
    CHECK(contacts[1].uri.user == "x");
    CHECK(contact_expires(contacts[2]).value() == 60u);
    auto values = split_list("\"a,b\" <sip:c;d,e>, f , \"g\\\",h\"");
    REQUIRE(values.size() == 3);
    CHECK(values[0] == "\"a,b\" <sip:c;d,e>");
    CHECK(values[1] == "f");
    CHECK(values[2] == "\"g\\\",h\"");
    CHECK(split_list("a,,b").size() == 3);  // empty elements stay visible
    CHECK(split_list("").size() == 1);
}

// ---- start lines -------------------------------------------------------------------------------
TEST_CASE("SIP start lines: requests, responses and their errors") {
    Message r = parse_ok(wire({"SIP/2.0 180 Ringing", "CSeq: 1 INVITE"}));
    CHECK(r.is_response());
    CHECK(r.status() == 180);
    CHECK(r.reason() == "Ringing");
    CHECK(parse_ok(wire({"sip/2.0 200 OK"})).status() == 200);  // the version is case-insensitive
    CHECK(parse_ok(wire({"SIP/2.0 200"})).reason().empty());    // no SP before an empty reason
    CHECK(parse_ok("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n").method() == "OPTIONS");  // RFC 3261 7.5

    struct Case {
        const char* line;
        const char* message;
    };
    const Case cases[] = {
        {"OPTIONS", "start line 'OPTIONS' is not Method SP Request-URI SP SIP-Version"},
        {"OPTIONS sip:a@b", "start line 'OPTIONS sip:a@b' is not Method SP Request-URI SP SIP-Version"},
        {" OPTIONS sip:a@b SIP/2.0", "Request-Line starts with whitespace"},
        {"OPT(ONS sip:a@b SIP/2.0", "method 'OPT(ONS' has '('"},
        {"OPTIONS sip:a@b HTTP/1.1", "malformed SIP version 'HTTP/1.1'"},
        {"OPTIONS sip:a@b SIP/3.0", "unsupported SIP version SIP/3.0"},
        {"OPTIONS a@b SIP/2.0", "Request-URI 'a@b' has no scheme"},
        {"OPTIONS sip: SIP/2.0", "Request-URI has no host"},
        {"OPTIONS sip:a@b:99999 SIP/2.0", "Request-URI port '99999' is not a port number (0-65535)"},
        {"SIP/2.0 20 OK", "status code 20 out of range"},
        {"SIP/2.0 700 Late", "status code 700 out of range"},
        {"SIP/2.0 2x0 OK", "status code '2x0' is not a number"},
        {"SIP/2.0", "Status-Line has no status code"},
        {"SIP/2.0  200 OK", "Status-Line elements must be separated by single spaces"},
        {"SIP/2.0 200 O\x01K", "reason phrase contains 0x01"},
    };
    for (const auto& c : cases) {
        Error e = parse_error(wire({c.line}));
        CHECK_MESSAGE(e.message == c.message, c.line);
    }
    CHECK(parse_error(std::string("OPTIONS sip:a@b SIP/2.0\0\r\n\r\n", 28)).message == "start line contains 0x00");
}

// ---- framing -----------------------------------------------------------------------------------
TEST_CASE("SIP framing: datagrams and WebSocket messages") {
    std::string m = wire(kBasic);
    Message whole = parse_ok(m);
    CHECK(whole.wire_size() == m.size());
    CHECK(whole.ignored_bytes() == 0);
    // No Content-Length: the body is the rest (RFC 3261 18.3 for datagrams, RFC 7118 for WS).
    Message rest = parse_ok(wire({"MESSAGE sip:a@b SIP/2.0"}, "all of this"));
    CHECK(rest.body() == "all of this");
    // Content-Length shorter than what arrived: the extra is ignored, and counted.
    Message extra = parse_ok(wire({"MESSAGE sip:a@b SIP/2.0", "l: 3"}, "abcdef"));
    CHECK(extra.body() == "abc");
    CHECK(extra.ignored_bytes() == 3);
    CHECK(parse_error(wire({"MESSAGE sip:a@b SIP/2.0", "l: 7"}, "abcdef")).message ==
          "Content-Length 7 is larger than the 6-byte body");
    CHECK(parse_error(wire({"MESSAGE sip:a@b SIP/2.0", "l: 99999999999"})).message == "Content-Length 99999999999 is too large");
    CHECK(parse_error(wire({"MESSAGE sip:a@b SIP/2.0", "l: 1 2"})).message == "Content-Length 1 2 is not a non-negative integer");
    // Equal repeated values are not a conflict.
    CHECK_FALSE(parse_ok(wire({"MESSAGE sip:a@b SIP/2.0", "l: 2", "Content-Length: 2"}, "ab")).content_length_conflict());
    CHECK(parse_error("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n").message ==
          "message ends without the empty line that closes the header section");
    CHECK(parse_error("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;bra").message == "message ends inside a header line");
}

TEST_CASE("SIP framing: a TCP stream holds messages back to back") {
    std::string one = wire({"MESSAGE sip:a@b SIP/2.0", "CSeq: 1 MESSAGE", "Content-Length: 5"}, "hello");
    std::string two = wire({"MESSAGE sip:a@b SIP/2.0", "CSeq: 2 MESSAGE", "Content-Length: 3"}, "bye");
    std::string stream = "\r\n\r\n" + one + two;  // a CRLF keepalive first (RFC 5626)
    Message first = parse_ok(stream, Framing::stream);
    CHECK(first.body() == "hello");
    CHECK(first.wire_size() == 4 + one.size());
    Message second = parse_ok(stream.substr(first.wire_size()), Framing::stream);
    CHECK(second.body() == "bye");
    CHECK(second.wire_size() == two.size());
    for (size_t cut = 0; cut < one.size(); ++cut) {
        Error e = parse_error(one.substr(0, cut), Framing::stream);
        CHECK_MESSAGE((e.code == kIncomplete || e.code == kEmpty), cut);
    }
    CHECK(parse_error(wire({"MESSAGE sip:a@b SIP/2.0"}, "x"), Framing::stream).message ==
          "Content-Length is required on a stream transport (RFC 3261 18.3)");
    CHECK(parse_error("\r\n\r\n", Framing::stream).code == kEmpty);
    ParseOptions small;
    small.framing = Framing::stream;
    small.max_size = 64;
    auto big = parse_message(std::string(100, 'A'), small);
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().code == kTooLarge);
}

// ---- building and serializing ------------------------------------------------------------------
TEST_CASE("SIP builder: a request built header by header serializes to the wire form") {
    auto built = Message::request("INVITE", "sip:bob@example.com");
    REQUIRE(built.ok());
    Message m = built.value();
    CHECK(m.add_header("Via", "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds").ok());
    CHECK(m.add_header("Max-Forwards", "70").ok());
    CHECK(m.add_header("To", "<sip:bob@example.com>").ok());
    CHECK(m.add_header("From", "<sip:alice@example.com>;tag=1").ok());
    CHECK(m.add_header("Call-ID", "c1").ok());
    CHECK(m.add_header("CSeq", "1 INVITE").ok());
    CHECK(m.add_header("Content-Type", "application/sdp").ok());
    m.set_body("v=0\r\n");
    CHECK(m.serialize() ==
          "INVITE sip:bob@example.com SIP/2.0\r\n"
          "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK776asdhds\r\n"
          "Max-Forwards: 70\r\n"
          "To: <sip:bob@example.com>\r\n"
          "From: <sip:alice@example.com>;tag=1\r\n"
          "Call-ID: c1\r\n"
          "CSeq: 1 INVITE\r\n"
          "Content-Type: application/sdp\r\n"
          "Content-Length: 5\r\n"
          "\r\n"
          "v=0\r\n");
    // A proxy-style Via on top, a header replaced, one removed.
    CHECK(m.prepend_header("Via", "SIP/2.0/UDP p.example.com;branch=z9hG4bKp").ok());
    CHECK(m.set_header("cseq", "2 INVITE").ok());
    CHECK(m.remove_header("max-forwards") == 1);
    CHECK(m.remove_header("Max-Forwards") == 0);
    auto again = parse_message(m.serialize());
    REQUIRE(again.ok());
    const Message& p = again.value();
    CHECK(p.header(0).value == "SIP/2.0/UDP p.example.com;branch=z9hG4bKp");
    CHECK(read_vias(p).value().size() == 2);
    CHECK(read_cseq(p).value().number == 2u);
    CHECK(p.header(5).name == "CSeq");  // set_header keeps the place
    CHECK_FALSE(p.find(HeaderId::max_forwards));
    CHECK(p.body() == "v=0\r\n");
}

TEST_CASE("SIP builder: responses, Content-Length recomputed, and refused input") {
    auto r = Message::response(486, "Busy Here");
    REQUIRE(r.ok());
    Message m = r.value();
    CHECK(m.add_header("Content-Length", "999").ok());
    CHECK(m.add_header("l", "5").ok());
    CHECK(m.serialize() == "SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n");
    CHECK(m.set_header("Warning", "399 example.com \"a\"").ok());
    CHECK(m.set_header("Warning", "399 example.com \"b\"").ok());
    CHECK(m.count(HeaderId::warning) == 1);
    CHECK(m.find("Warning")->value == "399 example.com \"b\"");

    CHECK(Message::request("IN VITE", "sip:a@b").error().message == "method 'IN VITE' is not a token");
    CHECK_FALSE(Message::request("INVITE", "<sip:a@b>").ok());
    CHECK_FALSE(Message::response(99, "x").ok());
    CHECK_FALSE(Message::response(200, "O\r\nK").ok());
    CHECK(m.add_header("Bad Name", "x").error().message == "header name 'Bad Name' is not a token");
    CHECK(m.add_header("Subject", "a\r\nInjected: yes").error().message ==
          "header Subject must not contain CR, LF or NUL");
    CHECK(m.set_header("Subject", std::string("a\0b", 3)).error().code == "sip_bad_build");
}

TEST_CASE("SIP serializer: a parsed message keeps names as written and values as folded") {
    Message m = parse_ok(wire({"OPTIONS sip:bob@example.com SIP/2.0", "v: SIP/2.0/UDP h.example.com", " ;branch=z9hG4bK1",
                               "MaX-fOrWaRdS: 0070", "l: 0"}));
    CHECK(m.serialize() ==
          "OPTIONS sip:bob@example.com SIP/2.0\r\n"
          "v: SIP/2.0/UDP h.example.com ;branch=z9hG4bK1\r\n"
          "MaX-fOrWaRdS: 0070\r\n"
          "l: 0\r\n"
          "\r\n");
    Message copy = m;  // copies share nothing
    Message moved = std::move(m);
    CHECK(copy.find("Via")->value == moved.find("Via")->value);
    CHECK(copy.method() == "OPTIONS");
}

// ---- hostile input -----------------------------------------------------------------------------
TEST_CASE("SIP hostile input: empty, line breaks only, NULs, stray CRs, no colon") {
    CHECK(parse_error("").code == kEmpty);
    CHECK(parse_error("").message == "message is empty");
    CHECK(parse_error("\r\n\r\n\r\n").message == "message is empty (only line breaks, a keepalive)");
    CHECK(parse_error("\n").code == kEmpty);
    CHECK(parse_error("OPTIONS sip:a@b SIP/2.0").message == "message ends inside the start line");
    CHECK(parse_error(std::string(1, '\0')).code == kBadStartLine);
    CHECK(parse_error(std::string("\0\0\0\0\r\n\r\n", 8)).code == kBadStartLine);
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", std::string_view("Sub\0ject: x", 11)})).message ==
          "header line 'Sub\\x00ject: x' has no colon after its name");
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", std::string_view("\0: x", 4)})).code == kBadHeader);
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", "Subject: a\rb"})).message ==
          "header Subject contains a CR that does not end a line");
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", "no colon here"})).message ==
          "header line 'no colon here' has no colon after its name");
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", ": value"})).message ==
          "header line ': value' does not start with a name (found ':')");
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", " folded start line"})).message ==
          "the start line cannot be continued on the next line");
    // NULs inside a value of a header the parser keeps raw are the reader's business.
    Message nul = parse_ok(wire({"OPTIONS sip:a@b SIP/2.0", std::string_view("X-Data: a\0b", 11)}));
    CHECK(nul.find("X-Data")->value == std::string_view("a\0b", 3));
    CHECK(parse_error(wire({"OPTIONS sip:a@b SIP/2.0", std::string_view("Call-ID: a\0b", 12)})).message ==
          "Call-ID 'a\\x00b' has 0x00");
}

TEST_CASE("SIP hostile input: header counts and sizes have limits") {
    std::string many = "OPTIONS sip:a@b SIP/2.0\r\n";
    for (int i = 0; i < 100000; ++i) many += "X: y\r\n";
    many += "\r\n";
    Error e = parse_error(many);
    CHECK(e.code == kTooLarge);
    CHECK(e.message == "more than 512 header fields");
    ParseOptions roomy;
    roomy.max_headers = 200000;
    auto r = parse_message(many, roomy);
    REQUIRE(r.ok());
    CHECK(r.value().header_count() == 100000);
    CHECK(r.value().values(HeaderId::via).empty());

    std::string huge = "OPTIONS sip:a@b SIP/2.0\r\nSubject: " + std::string(2 << 20, 'x') + "\r\n\r\n";
    CHECK(parse_error(huge).code == kTooLarge);
    std::string long_line = "OPTIONS sip:a@b SIP/2.0\r\nSubject: " + std::string(500000, 'x') + "\r\n\r\n";
    CHECK(parse_ok(long_line).find("Subject")->value.size() == 500000);
    std::string deep_fold = "OPTIONS sip:a@b SIP/2.0\r\nSubject: a";
    for (int i = 0; i < 20000; ++i) deep_fold += "\r\n b";
    CHECK(parse_ok(deep_fold + "\r\n\r\n").find("Subject")->value.size() == 1 + 2 * 20000);
    std::string quotes = "OPTIONS sip:a@b SIP/2.0\r\nTo: " + std::string(10000, '"') + "\r\n\r\n";
    CHECK(parse_error(quotes).code == kBadHeader);
    std::string angles = "OPTIONS sip:a@b SIP/2.0\r\nContact: " + std::string(10000, '<') + "\r\n\r\n";
    CHECK(parse_error(angles).code == kBadHeader);
}
