// sip/header_names.h: the header fields the core knows by name, their canonical spelling,
// their compact forms (RFC 3261 7.3.3 and the extensions that define one) and whether a
// header's value is a comma-separated list.
//
// Names compare case-insensitively ("MaX-fOrWaRdS", "cseq"); a one-letter name is the compact
// form ("i" is Call-ID, "m" Contact, "l" Content-Length...). Unknown names are kept as written.
#pragma once

#include <cstdint>
#include <string_view>

namespace sb::sip {

enum class HeaderId : uint8_t {
    other = 0,
    accept, accept_contact, accept_encoding, accept_language, alert_info, allow, allow_events,
    authentication_info, authorization, call_id, call_info, contact, content_disposition,
    content_encoding, content_language, content_length, content_type, cseq, date, error_info,
    event, expires, from, identity, identity_info, in_reply_to, max_forwards, min_expires, min_se,
    mime_version, organization, p_asserted_identity, p_preferred_identity, path, priority, privacy,
    proxy_authenticate, proxy_authorization, proxy_require, rack, reason, record_route, refer_sub,
    refer_to, referred_by, reject_contact, replaces, reply_to, request_disposition, require,
    retry_after, route, rseq, security_client, security_server, security_verify, server,
    service_route, session_expires, sip_etag, sip_if_match, subject, subscription_state, supported,
    timestamp, to, unsupported, user_agent, via, warning, www_authenticate,
};

// HeaderId::other for a name the core does not know.
HeaderId header_id(std::string_view name);
// "Call-ID", "CSeq", "WWW-Authenticate"...; empty for HeaderId::other.
std::string_view canonical_name(HeaderId id);
// The compact form ('i' for Call-ID), or 0 when the header has none.
char compact_form(HeaderId id);
// True for headers whose grammar is a comma-separated list (Via, Contact, Route, Supported...);
// false where commas belong to one value (Date, WWW-Authenticate, From, Subject...).
bool is_list_header(HeaderId id);

}  // namespace sb::sip
