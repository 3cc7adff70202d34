// sip/fields.h: typed readers for the header fields the transaction layer, the dialogs and
// digest authentication need. Each reads one raw value (as Message keeps it) and returns a
// struct of views into it, or an Error (code sip_bad_header) that says what is wrong.
//
// Sections: Via · CSeq · numbers (Max-Forwards, Expires, Content-Length) · Call-ID ·
// Content-Type · digest challenge and credentials · Date · readers over a Message
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/uri.h"
#include "util/result.h"

namespace sb::sip {

class Message;

// ---- Via (RFC 3261 20.42) ---------------------------------------------------------------------
struct Via {
    std::string_view protocol_name;     // "SIP"
    std::string_view protocol_version;  // "2.0"
    std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", or any token
    std::string_view host;              // sent-by host as written (IPv6 keeps its brackets)
    std::optional<uint16_t> port;       // sent-by port
    Params params;                      // ParamStyle::header

    std::string_view branch() const;    // empty when there is none (RFC 2543 peers)
    std::optional<std::string_view> received() const;
    bool has_rport() const;
    std::optional<uint16_t> rport() const;  // the value a server filled in, if any
};
Result<Via> parse_via(std::string_view one_value);  // one element of a Via list

// ---- CSeq (RFC 3261 20.16) --------------------------------------------------------------------
struct CSeq {
    uint32_t number = 0;      // RFC 3261 8.1.1.5: expressible in 32 bits
    std::string_view method;  // a token, compared case-sensitively
};
Result<CSeq> parse_cseq(std::string_view value);

// ---- numbers ----------------------------------------------------------------------------------
Result<uint32_t> parse_max_forwards(std::string_view value);     // 0-255 (RFC 3261 20.22)
Result<uint32_t> parse_delta_seconds(std::string_view value, std::string_view what);  // 0-2**32-1
Result<uint64_t> parse_content_length(std::string_view value);   // 0-2**32-1

// ---- Call-ID (RFC 3261 20.8): word [ "@" word ] -----------------------------------------------
Status check_call_id(std::string_view value);

// ---- Content-Type (RFC 3261 20.15) ------------------------------------------------------------
struct MediaType {
    std::string_view type;     // "application"
    std::string_view subtype;  // "sdp"
    Params params;             // ";boundary=..."; ParamStyle::header
    bool is(std::string_view type, std::string_view subtype) const;  // case-insensitive
};
Result<MediaType> parse_media_type(std::string_view value);

// ---- digest challenge and credentials (RFC 3261 20.27, 20.44, 25.1; RFC 2617) -----------------
// WWW-Authenticate / Proxy-Authenticate (a challenge) and Authorization / Proxy-Authorization
// (credentials) share one shape: a scheme, then name=value parameters separated by commas.
struct AuthParam {
    std::string_view name;
    std::string_view value;  // raw; a quoted-string keeps its quotes
    bool quoted = false;
    std::string text() const;  // quotes and quoted-pairs resolved
};
struct AuthValue {
    std::string_view scheme;  // "Digest", or any token (RFC 4475 3.3.7)
    std::vector<AuthParam> params;

    bool is_digest() const;
    // A parameter's text by case-insensitive name (realm, nonce, opaque, algorithm, qop, stale,
    // username, uri, response, cnonce, nc...), or nullopt when absent.
    std::optional<std::string> param(std::string_view name) const;
    // qop of a challenge: the quoted list "auth,auth-int" split into its options.
    std::vector<std::string> qop_options() const;
};
Result<AuthValue> parse_auth(std::string_view value, std::string_view what = "Authorization");

// ---- Date (RFC 3261 20.17: rfc1123-date, always GMT) ------------------------------------------
// The parser leaves Date alone (RFC 4475 3.1.2.12 lets an element ignore a Date it does not
// use); this checks it for whoever does use it.
Status check_date(std::string_view value);

// ---- readers over a Message -------------------------------------------------------------------
// Errors: sip_missing_header when a required header is absent, else the reader's error.
Result<std::vector<Via>> read_vias(const Message& m);  // every Via value, top first
Result<CSeq> read_cseq(const Message& m);
Result<std::optional<uint32_t>> read_max_forwards(const Message& m);
Result<std::optional<uint32_t>> read_expires(const Message& m);
Result<std::optional<MediaType>> read_content_type(const Message& m);

}  // namespace sb::sip
