// sip/message.h: one SIP message (RFC 3261 section 7), parsed from the wire or built by the
// transaction layer, and its wire form.
//
// A Message owns one byte buffer; the start line, every header (in order, with its name as
// written and its value) and the body are offsets into it, so a parse allocates the buffer's
// move and one vector of headers, and a Message can be copied or moved freely. Values are raw
// text: folded lines are joined with one SP (RFC 3261 7.3.1), nothing else is rewritten. The
// typed readers (sip/uri.h, sip/address.h, sip/fields.h) interpret them on demand.
//
// Sections: parse options and error codes · Message (reading, building, wire form) · parse
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_names.h"
#include "util/result.h"

namespace sb::sip {

// ---- parse options and error codes ------------------------------------------------------------
// How the bytes arrived, which decides how the body is framed (RFC 3261 18.3, RFC 7118 4):
// - message: the input is one whole message (a UDP datagram, one WebSocket message). Octets
//   after Content-Length are ignored (RFC 4475 3.1.1.8); without Content-Length the body is
//   the rest of the input.
// - stream: the input is the start of a TCP/TLS byte stream. Content-Length is required; the
//   message ends where it says and Message::wire_size() tells how much of the input it used.
//   A message that has not fully arrived yet fails with code kIncomplete.
enum class Framing : uint8_t { message, stream };

struct ParseOptions {
    Framing framing = Framing::message;
    size_t max_headers = 512;
    size_t max_size = 1 << 20;  // bytes; larger input (or a stream message larger) is refused
};

// Error codes of parse_message (Error::code); Error::message says exactly what is wrong.
inline constexpr std::string_view kEmpty = "sip_empty";                  // nothing but line breaks
inline constexpr std::string_view kIncomplete = "sip_incomplete";        // stream: wait for more
inline constexpr std::string_view kTooLarge = "sip_too_large";           // limits of ParseOptions
inline constexpr std::string_view kBadStartLine = "sip_bad_start_line";  // request/status line
inline constexpr std::string_view kBadVersion = "sip_bad_version";       // not SIP/2.0
inline constexpr std::string_view kBadHeader = "sip_bad_header";         // a header's syntax
inline constexpr std::string_view kBadFraming = "sip_bad_framing";       // Content-Length, end
inline constexpr std::string_view kCSeqMismatch = "sip_cseq_mismatch";   // CSeq vs method

// One header field as seen through a Message.
struct Header {
    std::string_view name;       // as written ("v", "MaX-fOrWaRdS")
    std::string_view canonical;  // "Via", "Max-Forwards"; the name as written when unknown
    std::string_view value;      // trimmed, folds joined with one SP
    HeaderId id = HeaderId::other;
};

// The elements of one list header's value, split at commas outside quoted strings and <>,
// each trimmed ("a, \"b,c\" <sip:x;y,z>" gives two); empty elements are kept.
std::vector<std::string_view> split_list(std::string_view value);

// ---- Message ----------------------------------------------------------------------------------
class Message {
public:
    // Builders for the transaction layer. The method must be a token and the URI well formed;
    // a status code is 100-699 and a reason phrase has no line breaks.
    static Result<Message> request(std::string_view method, std::string_view request_uri);
    static Result<Message> response(int status, std::string_view reason);

    bool is_request() const { return request_; }
    bool is_response() const { return !request_; }
    std::string_view method() const { return view(method_); }  // requests only
    std::string_view uri() const { return view(uri_); }        // requests only
    std::string_view version() const { return view(version_); }  // "SIP/2.0" as written
    int status() const { return status_; }                     // responses only
    std::string_view reason() const { return view(reason_); }  // responses only; may be empty

    // Headers, in order.
    size_t header_count() const { return headers_.size(); }
    Header header(size_t index) const;
    // The first header with this name (any case, compact or full form), if any.
    std::optional<Header> find(std::string_view name) const;
    std::optional<Header> find(HeaderId id) const;
    size_t count(HeaderId id) const;
    size_t count(std::string_view name) const;
    // Every value of every header with this id; list headers (is_list_header) are split at
    // top-level commas, so "Supported: a, b" and two Supported headers both give {a, b}.
    std::vector<std::string_view> values(HeaderId id) const;

    std::string_view body() const { return view(body_); }
    // For a parsed message: how many input bytes the message used, and how many octets after
    // the body were ignored (message framing only).
    size_t wire_size() const { return wire_size_; }
    size_t ignored_bytes() const { return ignored_bytes_; }
    // Set when Content-Length appears more than once with different values (RFC 4475 3.3.9):
    // with message framing the body is then the rest of the input, and check_semantics()
    // reports the conflict; with stream framing the parse fails.
    bool content_length_conflict() const { return content_length_conflict_; }

    // Building. Names must be tokens and values must not contain CR, LF or NUL.
    Status add_header(std::string_view name, std::string_view value);      // at the end
    Status prepend_header(std::string_view name, std::string_view value);  // first (a new Via)
    // Replaces the first header of this name and removes the others, or adds one at the end.
    Status set_header(std::string_view name, std::string_view value);
    size_t remove_header(std::string_view name);  // every occurrence; returns how many
    void set_body(std::string_view body);  // Content-Type is the caller's; Content-Length is not

    // The wire form: start line, headers in order with CRLF, Content-Length recomputed from the
    // body (the first Content-Length header keeps its place and name, others are dropped; one
    // is added at the end when there was none), empty line, body.
    std::string serialize() const;

private:
    friend Result<Message> parse_message(std::string bytes, const ParseOptions& options);
    friend class MessageParser;

    struct Span {
        uint32_t pos = 0, len = 0;
    };
    struct Entry {
        Span name, value;
        HeaderId id = HeaderId::other;
    };

    std::string_view view(Span s) const { return std::string_view(buf_).substr(s.pos, s.len); }
    Span append(std::string_view text);
    Status add_entry(std::string_view name, std::string_view value, size_t index);
    bool matches(const Entry& e, HeaderId id, std::string_view name) const;

    std::string buf_;
    std::vector<Entry> headers_;
    Span method_, uri_, version_, reason_, body_;
    int status_ = 0;
    bool request_ = true;
    bool content_length_conflict_ = false;
    size_t wire_size_ = 0, ignored_bytes_ = 0;
};

// ---- parse ------------------------------------------------------------------------------------
// Parses one message. Leading CRLFs are skipped (RFC 3261 7.5). The start line and the headers
// every layer relies on are validated here: Via, From, To, Contact, Route, Record-Route,
// Call-ID, CSeq (and that its method matches the request's), Max-Forwards, Content-Length and
// Content-Type. Others are kept as raw text and read on demand (sip/fields.h), so a malformed
// Date or Expires does not cost the whole message (RFC 4475 3.1.2.12, RFC 3261 20.19).
Result<Message> parse_message(std::string bytes, const ParseOptions& options = {});

}  // namespace sb::sip
