#include "sip/header_names.h"

#include <array>

#include "sip/grammar.h"

namespace sb::sip {

namespace {

struct HeaderInfo {
    HeaderId id;
    std::string_view name;
    char compact;
    bool list;
};

// In HeaderId order, so that the table is also the id -> name map.
constexpr std::array<HeaderInfo, static_cast<size_t>(HeaderId::www_authenticate) + 1> kHeaders{{
    {HeaderId::other, "", 0, false},
    {HeaderId::accept, "Accept", 0, true},
    {HeaderId::accept_contact, "Accept-Contact", 'a', true},       // RFC 3841
    {HeaderId::accept_encoding, "Accept-Encoding", 0, true},
    {HeaderId::accept_language, "Accept-Language", 0, true},
    {HeaderId::alert_info, "Alert-Info", 0, true},
    {HeaderId::allow, "Allow", 0, true},
    {HeaderId::allow_events, "Allow-Events", 'u', true},           // RFC 6665
    {HeaderId::authentication_info, "Authentication-Info", 0, false},
    {HeaderId::authorization, "Authorization", 0, false},
    {HeaderId::call_id, "Call-ID", 'i', false},
    {HeaderId::call_info, "Call-Info", 0, true},
    {HeaderId::contact, "Contact", 'm', true},
    {HeaderId::content_disposition, "Content-Disposition", 0, false},
    {HeaderId::content_encoding, "Content-Encoding", 'e', true},
    {HeaderId::content_language, "Content-Language", 0, true},
    {HeaderId::content_length, "Content-Length", 'l', false},
    {HeaderId::content_type, "Content-Type", 'c', false},
    {HeaderId::cseq, "CSeq", 0, false},
    {HeaderId::date, "Date", 0, false},
    {HeaderId::error_info, "Error-Info", 0, true},
    {HeaderId::event, "Event", 'o', false},                        // RFC 6665
    {HeaderId::expires, "Expires", 0, false},
    {HeaderId::from, "From", 'f', false},
    {HeaderId::identity, "Identity", 'y', false},                  // RFC 8224
    {HeaderId::identity_info, "Identity-Info", 'n', false},        // RFC 4474
    {HeaderId::in_reply_to, "In-Reply-To", 0, true},
    {HeaderId::max_forwards, "Max-Forwards", 0, false},
    {HeaderId::min_expires, "Min-Expires", 0, false},
    {HeaderId::min_se, "Min-SE", 0, false},                        // RFC 4028
    {HeaderId::mime_version, "MIME-Version", 0, false},
    {HeaderId::organization, "Organization", 0, false},
    {HeaderId::p_asserted_identity, "P-Asserted-Identity", 0, true},   // RFC 3325
    {HeaderId::p_preferred_identity, "P-Preferred-Identity", 0, true},
    {HeaderId::path, "Path", 0, true},                             // RFC 3327
    {HeaderId::priority, "Priority", 0, false},
    {HeaderId::privacy, "Privacy", 0, false},                      // RFC 3323
    {HeaderId::proxy_authenticate, "Proxy-Authenticate", 0, false},
    {HeaderId::proxy_authorization, "Proxy-Authorization", 0, false},
    {HeaderId::proxy_require, "Proxy-Require", 0, true},
    {HeaderId::rack, "RAck", 0, false},                            // RFC 3262
    {HeaderId::reason, "Reason", 0, true},                         // RFC 3326
    {HeaderId::record_route, "Record-Route", 0, true},
    {HeaderId::refer_sub, "Refer-Sub", 0, false},                  // RFC 4488
    {HeaderId::refer_to, "Refer-To", 'r', false},                  // RFC 3515
    {HeaderId::referred_by, "Referred-By", 'b', false},            // RFC 3892
    {HeaderId::reject_contact, "Reject-Contact", 'j', true},       // RFC 3841
    {HeaderId::replaces, "Replaces", 0, false},                    // RFC 3891
    {HeaderId::reply_to, "Reply-To", 0, false},
    {HeaderId::request_disposition, "Request-Disposition", 'd', true},  // RFC 3841
    {HeaderId::require, "Require", 0, true},
    {HeaderId::retry_after, "Retry-After", 0, false},
    {HeaderId::route, "Route", 0, true},
    {HeaderId::rseq, "RSeq", 0, false},                            // RFC 3262
    {HeaderId::security_client, "Security-Client", 0, true},       // RFC 3329
    {HeaderId::security_server, "Security-Server", 0, true},
    {HeaderId::security_verify, "Security-Verify", 0, true},
    {HeaderId::server, "Server", 0, false},
    {HeaderId::service_route, "Service-Route", 0, true},           // RFC 3608
    {HeaderId::session_expires, "Session-Expires", 'x', false},    // RFC 4028
    {HeaderId::sip_etag, "SIP-ETag", 0, false},                    // RFC 3903
    {HeaderId::sip_if_match, "SIP-If-Match", 0, false},
    {HeaderId::subject, "Subject", 's', false},
    {HeaderId::subscription_state, "Subscription-State", 0, false},  // RFC 6665
    {HeaderId::supported, "Supported", 'k', true},
    {HeaderId::timestamp, "Timestamp", 0, false},
    {HeaderId::to, "To", 't', false},
    {HeaderId::unsupported, "Unsupported", 0, true},
    {HeaderId::user_agent, "User-Agent", 0, false},
    {HeaderId::via, "Via", 'v', true},
    {HeaderId::warning, "Warning", 0, true},
    {HeaderId::www_authenticate, "WWW-Authenticate", 0, false},
}};

constexpr bool table_in_id_order() {
    for (size_t i = 0; i < kHeaders.size(); ++i)
        if (static_cast<size_t>(kHeaders[i].id) != i) return false;
    return true;
}
static_assert(table_in_id_order(), "kHeaders must list the headers in HeaderId order");

// Compact forms by letter: compact['i' - 'a'] == HeaderId::call_id.
constexpr std::array<HeaderId, 26> make_compact() {
    std::array<HeaderId, 26> t{};
    for (const auto& h : kHeaders)
        if (h.compact) t[h.compact - 'a'] = h.id;
    return t;
}
constexpr std::array<HeaderId, 26> kCompact = make_compact();

// Full names grouped by length, so that a lookup compares only names of the right length:
// kByLength[kLengthStart[n] .. kLengthStart[n + 1]) are the ids whose name has n characters.
constexpr size_t kMaxNameLength = 24;
constexpr std::array<size_t, kMaxNameLength + 2> make_length_start() {
    std::array<size_t, kMaxNameLength + 2> start{};
    for (const auto& h : kHeaders)
        if (!h.name.empty()) ++start[h.name.size() + 1];
    for (size_t n = 1; n < start.size(); ++n) start[n] += start[n - 1];
    return start;
}
constexpr std::array<size_t, kMaxNameLength + 2> kLengthStart = make_length_start();
constexpr std::array<HeaderId, kHeaders.size() - 1> make_by_length() {
    std::array<HeaderId, kHeaders.size() - 1> out{};
    std::array<size_t, kMaxNameLength + 2> next = kLengthStart;
    for (const auto& h : kHeaders)
        if (!h.name.empty()) out[next[h.name.size()]++] = h.id;
    return out;
}
constexpr std::array<HeaderId, kHeaders.size() - 1> kByLength = make_by_length();
static_assert(kLengthStart[kMaxNameLength + 1] == kHeaders.size() - 1, "a header name is longer than kMaxNameLength");

}  // namespace

HeaderId header_id(std::string_view name) {
    if (name.size() == 1) {
        char c = grammar::to_lower(name[0]);
        return (c >= 'a' && c <= 'z') ? kCompact[c - 'a'] : HeaderId::other;
    }
    if (name.empty() || name.size() > kMaxNameLength) return HeaderId::other;
    char first = grammar::to_lower(name[0]);
    for (size_t i = kLengthStart[name.size()]; i < kLengthStart[name.size() + 1]; ++i) {
        const auto& h = kHeaders[static_cast<size_t>(kByLength[i])];
        if (grammar::to_lower(h.name[0]) == first && grammar::iequals(h.name, name)) return h.id;
    }
    return HeaderId::other;
}

std::string_view canonical_name(HeaderId id) { return kHeaders[static_cast<size_t>(id)].name; }
char compact_form(HeaderId id) { return kHeaders[static_cast<size_t>(id)].compact; }
bool is_list_header(HeaderId id) { return kHeaders[static_cast<size_t>(id)].list; }

}  // namespace sb::sip
