// browser_policy.h: what switchboardd tells browsers, and checks of them (docs/security.md,
// "Browser"): the headers every response carries, the Content-Security-Policy of its two HTML
// pages (the desk's index.html and the chat page), the desk backends a desk page may use besides
// its own origin (published to the page in a <meta>), and which pages may open its WebSockets
// (the Origin check). Pure: decides on strings, no sockets, unit-tested
// (tests/unit/server/browser_policy_test.cpp); http_routes applies it.
//
// Sections: BrowserPolicy · headers · Content-Security-Policy · desk page · origins · options
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace sbd {

// ---- BrowserPolicy --------------------------------------------------------------------------------
struct BrowserPolicy {
    // --desk-backend: ws(s):// URLs a desk page served here may connect to besides its own
    // origin's /desk (a link's ?backend= must name one of these).
    std::vector<std::string> desk_backends;
    // --allowed-origin: origins (scheme://host[:port]) whose pages may open /desk and /chat/ws
    // besides the server's own.
    std::vector<std::string> allowed_origins;
    // --frame-ancestors: who may embed the pages in a frame (CSP frame-ancestors sources).
    std::vector<std::string> frame_ancestors{"'self'"};
    // The phone's SIP WebSocket (--sip-ws-url) when telephony is on, else empty.
    std::string sip_ws_url;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// ---- headers: on every response -------------------------------------------------------------------
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
const HeaderList& common_headers();

// Sets every header of `headers` on a Beast response (or anything with set(name, value)).
template <class Response>
void apply_headers(Response& res, const HeaderList& headers) {
    for (const auto& [name, value] : headers) res.set(name, value);
}

// ---- Content-Security-Policy: HTML pages --------------------------------------------------------------
enum class Page { desk, chat };
// default-src 'self'; scripts only from files ('self' and 'wasm-unsafe-eval' for the desk's
// WebAssembly); connect-src 'self' and, for the desk, its backends and the SIP WebSocket;
// object-src 'none'; base-uri 'none'; frame-ancestors as configured.
std::string content_security_policy(const BrowserPolicy& policy, Page page);

// ---- desk page: index.html with the allowed backends filled in ---------------------------------------
// The placeholder web/index.html carries; the server fills its content with the backends.
inline constexpr std::string_view kBackendsMeta = R"(<meta name="switchboard-backends" content="">)";
// `html` with the placeholder's content set to the backends, space-separated (unchanged when it
// has no placeholder or there are none).
std::string fill_desk_page(std::string html, const BrowserPolicy& policy);

// ---- origins: who may open the WebSockets ---------------------------------------------------------------
// "scheme://host[:port]" in lower case without the scheme's default port, or nullopt when `s` is
// not an http(s) or ws(s) origin (a path, user info, "null", spaces...).
std::optional<std::string> normalize_origin(std::string_view s);
// Whether a WebSocket upgrade may go ahead. `origin` is the Origin header (nullopt when none
// was sent: not a browser page, allowed); `host` the Host header; `scheme` how the browser
// reached this server ("https" over TLS, here or at a trusted proxy). Allowed: the server's own
// origin (scheme + host) and policy.allowed_origins.
bool origin_allowed(const BrowserPolicy& policy, const std::optional<std::string_view>& origin, std::string_view host,
                    std::string_view scheme = "http");

// ---- options: checks of what an operator gives ----------------------------------------------------------
// A ws:// or wss:// URL without spaces, quotes, ';', ',', '?', '#' or control characters (it
// goes into a header and a <meta>).
sb::Status check_desk_backend(std::string_view url);
// One CSP source for frame-ancestors: 'self', 'none', a scheme ("https:"), or a host source
// ("https://crm.example.com", "https://*.example.com:8443").
sb::Status check_frame_ancestor(std::string_view source);

}  // namespace sbd
