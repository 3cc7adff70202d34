// switchboard-sip: reads one SIP message from a file or stdin and prints what the core's parser
// understood, as JSON: the start line, every header in order (name as written, canonical name,
// value, and the split values of list headers), the body length, and the problems a
// transaction would answer with 400. Developers use it on captures; the tests use it too.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sip/checks.h"
#include "sip/fields.h"
#include "sip/message.h"
#include "sip/sdp.h"

namespace {

// What the SDP body offers, per media section.
nlohmann::ordered_json sdp_json(std::string_view body) {
    using json = nlohmann::ordered_json;
    namespace sdp = sb::sip::sdp;
    auto parsed = sdp::parse(body);
    if (!parsed) return {{"error", parsed.error().message}};
    const sdp::Session& s = parsed.value();
    json media = json::array();
    for (size_t i = 0; i < s.media.size(); ++i) {
        const sdp::Media& m = s.media[i];
        json formats = json::array();
        for (auto f : m.formats()) formats.push_back(std::string(f));
        auto te = sdp::telephone_event_payload(m);
        media.push_back({{"kind", std::string(m.kind())}, {"port", m.port()}, {"proto", std::string(m.proto())},
                         {"formats", formats}, {"direction", std::string(sdp::to_string(sdp::direction(s, i)))},
                         {"hold", sdp::is_hold(s, i)}, {"telephone_event", te ? json(*te) : json(nullptr)}});
    }
    return {{"media", media}, {"candidates", sdp::candidate_count(s)}};
}

const char* kUsage = R"(usage: switchboard-sip [--stream] [FILE | -]

Reads one SIP message from FILE (or standard input when FILE is - or absent) and prints what
the parser understood as JSON:

  {"type": "request", "method": "INVITE", "uri": "sip:bob@example.com", "version": "SIP/2.0",
   "headers": [{"name": "v", "canonical": "Via", "value": "SIP/2.0/UDP ...", "values": [...]}],
   "body_length": 150, "ignored_bytes": 0, "problems": []}

A response has "status" and "reason" instead of "method" and "uri". "values" appears for
headers whose value is a comma-separated list. "problems" lists what a transaction layer would
reject with 400 (missing or repeated headers, conflicting Content-Length values). An
application/sdp body adds "sdp": {"media": [{"kind", "port", "proto", "formats", "direction",
"hold", "telephone_event"}], "candidates"}, or {"error"} when the SDP is malformed.

  --stream   frame as a TCP stream (Content-Length required; octets after the message are
             reported as "ignored_bytes" too) instead of one datagram / WebSocket message
  --help     this text

Exit status: 0 parsed; 1 not a valid SIP message, with {"error": "<reason>", "code": "..."}
on stdout; 2 bad usage or unreadable input.
)";

struct Options {
    std::string path = "-";
    bool stream = false;
};

std::optional<Options> parse_args(int argc, char** argv, bool& help) {
    Options o;
    bool have_path = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            help = true;
            return std::nullopt;
        }
        if (a == "--stream") {
            o.stream = true;
        } else if (a.size() > 1 && a[0] == '-') {
            std::cerr << "switchboard-sip: unknown option " << a << "\n";
            return std::nullopt;
        } else if (have_path) {
            std::cerr << "switchboard-sip: only one message at a time\n";
            return std::nullopt;
        } else {
            o.path = a;
            have_path = true;
        }
    }
    return o;
}

std::string dump(const nlohmann::ordered_json& j) {
    // Header values may hold any octet; invalid UTF-8 is shown as U+FFFD rather than aborting.
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json describe(const sb::sip::Message& m, size_t input_size) {
    using json = nlohmann::ordered_json;
    json out = json::object();
    if (m.is_request()) {
        out["type"] = "request";
        out["method"] = std::string(m.method());
        out["uri"] = std::string(m.uri());
        out["version"] = std::string(m.version());
    } else {
        out["type"] = "response";
        out["version"] = std::string(m.version());
        out["status"] = m.status();
        out["reason"] = std::string(m.reason());
    }
    json headers = json::array();
    for (size_t i = 0; i < m.header_count(); ++i) {
        auto h = m.header(i);
        json e = {{"name", std::string(h.name)}, {"canonical", std::string(h.canonical)}, {"value", std::string(h.value)}};
        if (sb::sip::is_list_header(h.id)) {
            json values = json::array();
            for (std::string_view v : sb::sip::split_list(h.value)) values.push_back(std::string(v));
            e["values"] = values;
        }
        headers.push_back(e);
    }
    out["headers"] = headers;
    out["body_length"] = m.body().size();
    out["ignored_bytes"] = input_size - m.wire_size();
    json problems = json::array();
    for (const auto& p : sb::sip::semantic_problems(m)) problems.push_back({{"code", p.code}, {"message", p.message}});
    out["problems"] = problems;
    if (auto ct = sb::sip::read_content_type(m); ct && ct.value() && ct.value()->is("application", "sdp"))
        out["sdp"] = sdp_json(m.body());
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    bool help = false;
    auto opts = parse_args(argc, argv, help);
    if (help) {
        std::cout << kUsage;
        return 0;
    }
    if (!opts) {
        std::cerr << kUsage;
        return 2;
    }
    std::string bytes;
    if (opts->path == "-") {
        bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        std::ifstream in(opts->path, std::ios::binary);
        if (!in) {
            std::string reason = "cannot read " + opts->path + ": " + std::strerror(errno);
            std::cout << dump({{"error", reason}, {"code", "unreadable_input"}}) << "\n";
            std::cerr << "switchboard-sip: " << reason << "\n";
            return 2;
        }
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    sb::sip::ParseOptions options;
    options.framing = opts->stream ? sb::sip::Framing::stream : sb::sip::Framing::message;
    size_t input_size = bytes.size();
    auto parsed = sb::sip::parse_message(std::move(bytes), options);
    if (!parsed) {
        const auto& e = parsed.error();
        std::cout << dump({{"error", e.message}, {"code", e.code}}) << "\n";
        std::cerr << "switchboard-sip: " << e.message << "\n";
        return 1;
    }
    std::cout << dump(describe(parsed.value(), input_size)) << "\n";
    return 0;
}
