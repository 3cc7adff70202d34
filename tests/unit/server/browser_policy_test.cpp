// What switchboardd tells browsers and checks of them (server/net/browser_policy.h): origins compared
// in their normal form, the WebSocket Origin check, the pages' Content-Security-Policy, the desk
// page's backends, and the checks of the operator's flags that keep both out of trouble.
#include <doctest/doctest.h>

#include "server/net/browser_policy.h"

using sbd::BrowserPolicy;
using sbd::normalize_origin;
using sbd::origin_allowed;

TEST_CASE("origins are compared in one form: lower case, no default port, no trailing slash") {
    CHECK(normalize_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
    CHECK(normalize_origin("HTTPS://CRM.Example.com:443/") == "https://crm.example.com");
    CHECK(normalize_origin("http://example.com:80") == "http://example.com");
    CHECK(normalize_origin("https://example.com:80") == "https://example.com:80");
    CHECK(normalize_origin("http://[::1]:8080") == "http://[::1]:8080");
    CHECK_FALSE(normalize_origin("null"));
    CHECK_FALSE(normalize_origin("file://"));
    CHECK_FALSE(normalize_origin("http://"));
    CHECK_FALSE(normalize_origin("http://a.example/path"));
    CHECK_FALSE(normalize_origin("http://user@a.example"));
    CHECK_FALSE(normalize_origin("http://a.example:"));
    CHECK_FALSE(normalize_origin("http://a.example:99999"));
    CHECK_FALSE(normalize_origin("http://a b"));
    CHECK_FALSE(normalize_origin("ftp://a.example"));
}

TEST_CASE("a WebSocket: no Origin (not a page) or the server's own origin or an allowed one") {
    BrowserPolicy p;
    CHECK(origin_allowed(p, std::nullopt, "127.0.0.1:8080"));
    CHECK(origin_allowed(p, "http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(origin_allowed(p, "http://desk.example.com", "desk.example.com:80"));
    CHECK_FALSE(origin_allowed(p, "http://127.0.0.1:8081", "127.0.0.1:8080"));   // another port is another site
    CHECK_FALSE(origin_allowed(p, "https://127.0.0.1:8080", "127.0.0.1:8080"));  // reached over plain http
    CHECK_FALSE(origin_allowed(p, "http://evil.example", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed(p, "null", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed(p, "", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed(p, "http://127.0.0.1:8080", ""));  // no Host: nothing to be the same as

    p.allowed_origins = {"https://crm.example.com"};
    CHECK(origin_allowed(p, "https://CRM.example.com", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed(p, "http://crm.example.com", "127.0.0.1:8080"));

    // TLS (here or at a trusted proxy): the own origin is https://Host
    CHECK(origin_allowed(p, "https://desk.example.com", "desk.example.com", "https"));
    CHECK_FALSE(origin_allowed(p, "http://desk.example.com", "desk.example.com", "https"));
}

TEST_CASE("the pages' Content-Security-Policy") {
    BrowserPolicy p;
    const std::string chat = sbd::content_security_policy(p, sbd::Page::chat);
    CHECK(chat == "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; "
                  "base-uri 'none'; frame-ancestors 'self'");
    p.desk_backends = {"ws://127.0.0.1:25201/desk"};
    p.sip_ws_url = "ws://127.0.0.1:5066";
    p.frame_ancestors = {"'self'", "https://crm.example.com"};
    CHECK(sbd::content_security_policy(p, sbd::Page::desk) ==
          "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:25201/desk "
          "ws://127.0.0.1:5066; object-src 'none'; base-uri 'none'; frame-ancestors 'self' https://crm.example.com");
    // The chat page connects to nothing but its own origin.
    CHECK(sbd::content_security_policy(p, sbd::Page::chat).find("25201") == std::string::npos);
    // Nothing that could end a directive gets in, even if it got past the option checks.
    p.sip_ws_url = "ws://x; script-src *";
    p.frame_ancestors = {"https://a.example;"};
    const std::string desk = sbd::content_security_policy(p, sbd::Page::desk);
    CHECK(desk.find("script-src *") == std::string::npos);
    CHECK(desk.find("frame-ancestors 'none'") != std::string::npos);
}

TEST_CASE("the desk page gets its backends in the placeholder <meta>") {
    BrowserPolicy p;
    const std::string page = "<head>" + std::string(sbd::kBackendsMeta) + "</head>";
    CHECK(sbd::fill_desk_page(page, p) == page);
    p.desk_backends = {"ws://127.0.0.1:9/desk", "wss://b.example/desk&x"};
    CHECK(sbd::fill_desk_page(page, p) ==
          "<head><meta name=\"switchboard-backends\" content=\"ws://127.0.0.1:9/desk wss://b.example/desk&amp;x\">"
          "</head>");
    CHECK(sbd::fill_desk_page("<head></head>", p) == "<head></head>");
}

TEST_CASE("the operator's flags: backends and frame ancestors that cannot break out") {
    CHECK(sbd::check_desk_backend("ws://127.0.0.1:25201/desk"));
    CHECK(sbd::check_desk_backend("wss://desk.example.com/desk"));
    CHECK_FALSE(sbd::check_desk_backend("http://desk.example.com/desk"));
    CHECK_FALSE(sbd::check_desk_backend("ws://a.example/desk; script-src *"));
    CHECK_FALSE(sbd::check_desk_backend("ws://a.example/desk\"><script>"));
    CHECK_FALSE(sbd::check_desk_backend("ws://a.example/desk?x=1"));
    CHECK_FALSE(sbd::check_desk_backend("ws:///desk"));
    CHECK(sbd::check_frame_ancestor("'self'"));
    CHECK(sbd::check_frame_ancestor("'none'"));
    CHECK(sbd::check_frame_ancestor("https://crm.example.com"));
    CHECK(sbd::check_frame_ancestor("https://*.example.com:8443"));
    CHECK(sbd::check_frame_ancestor("https:"));
    CHECK_FALSE(sbd::check_frame_ancestor("'unsafe-inline'"));
    CHECK_FALSE(sbd::check_frame_ancestor("https://a.example;"));
    CHECK_FALSE(sbd::check_frame_ancestor("https://a.example,b"));
    CHECK_FALSE(sbd::check_frame_ancestor(""));
}
