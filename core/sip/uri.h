// sip/uri.h: parameters and URIs (RFC 3261 19.1 and 25.1).
//
// Params is a view of a parameter list that is walked on demand (no allocation): header
// parameters (";tag=x ; q = 0.5", whitespace allowed around ';' and '='), URI parameters
// (";lr;transport=tcp", %-escapes allowed) and URI headers ("?Route=%3Csip:x%3E&Subject=y").
// Uri reads sip:, sips: and tel: URIs into their parts and keeps any other scheme as an
// absolute URI (RFC 4475 3.3.2-3.3.4 must parse). Parts are raw views into the parsed text;
// user_text() and friends decode %-escapes where RFC 3261 lets them appear.
//
// Sections: Params · Uri · parse_uri
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace sb::sip {

// ---- Params -----------------------------------------------------------------------------------
enum class ParamStyle : uint8_t {
    header,       // generic-param: token [ EQUAL ( token / host / quoted-string ) ], SWS allowed
    uri,          // uri-parameter: pname [ "=" pvalue ], %-escapes, no whitespace
    uri_headers,  // "?" hname "=" hvalue *( "&" hname "=" hvalue )
};

struct Param {
    std::string_view name;   // raw (URI styles may hold %-escapes)
    std::string_view value;  // raw: a quoted-string keeps its quotes; empty when absent
    bool has_value = false;
    // The value as text: quotes and quoted-pairs resolved (header style) or %-escapes decoded
    // (URI styles).
    std::string text(ParamStyle style) const;
};

class Params {
public:
    Params() = default;
    // `text` starts at the first separator (';' or '?'), or is empty.
    Params(std::string_view text, ParamStyle style) : text_(text), style_(style) {}

    class iterator {
    public:
        iterator(const Params* p, size_t pos);
        const Param& operator*() const { return current_; }
        const Param* operator->() const { return &current_; }
        iterator& operator++();
        bool operator==(const iterator& o) const { return pos_ == o.pos_; }
        bool operator!=(const iterator& o) const { return pos_ != o.pos_; }

    private:
        void load();
        const Params* p_;
        size_t pos_, next_ = 0;
        Param current_;
    };
    iterator begin() const { return iterator(this, 0); }
    iterator end() const { return iterator(this, std::string_view::npos); }

    // Names compare case-insensitively, URI-style names after %-decoding ("%6C%72" is "lr").
    std::optional<Param> find(std::string_view name) const;
    bool contains(std::string_view name) const { return find(name).has_value(); }
    // The value of `name` as text (Param::text), or nullopt when absent.
    std::optional<std::string> text(std::string_view name) const;
    size_t size() const;
    bool empty() const { return text_.empty(); }
    std::string_view raw() const { return text_; }
    ParamStyle style() const { return style_; }

private:
    std::string_view text_;
    ParamStyle style_ = ParamStyle::header;
};

// Checks the syntax of a parameter list (`text` as for Params); the error's message names
// `what` ("empty parameter in Via"). Code sip_bad_header.
Status check_params(std::string_view text, ParamStyle style, std::string_view what);

// ---- Uri --------------------------------------------------------------------------------------
enum class Scheme : uint8_t { sip, sips, tel, other };

struct Uri {
    Scheme scheme = Scheme::other;
    std::string_view text;         // the whole URI as written
    std::string_view scheme_name;  // as written ("sip", "SIP", "nobodyKnowsThisScheme")
    std::string_view user;         // sip/sips: user part, raw; tel: the number; empty if none
    std::string_view password;     // raw; has_password tells "sip:a:@h" from "sip:a@h"
    bool has_password = false;
    std::string_view host;         // as written; an IPv6 reference keeps its brackets
    std::optional<uint16_t> port;
    Params params;                 // ParamStyle::uri
    Params headers;                // ParamStyle::uri_headers
    std::string_view opaque;       // other schemes: everything after "scheme:"

    bool is_sip() const { return scheme == Scheme::sip || scheme == Scheme::sips; }
    bool has_user() const { return !user.empty(); }
    std::string user_text() const;      // %-decoded ("sips%3Auser%40example.com" -> sips:user@...)
    std::string password_text() const;  // %-decoded
};

// ---- parse_uri --------------------------------------------------------------------------------
// Reads a SIP-URI, SIPS-URI, tel URI or any absoluteURI. `what` names the URI in errors
// ("Request-URI", "Contact"). The views point into `text`, which must outlive the Uri.
// Code sip_bad_header on error.
Result<Uri> parse_uri(std::string_view text, std::string_view what = "URI");

}  // namespace sb::sip
