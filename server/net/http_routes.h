// http_routes.h: what switchboardd answers to one parsed HTTP request, decided without a socket:
// a WebSocket upgrade (/desk, /chat/ws; a browser page only from an allowed origin), an API reply
// (http_api.h), a static file (static_files.h) or a plain-text refusal, each with the headers
// browser_policy.h gives every response (and HTML pages their Content-Security-Policy).
// http_listener reads requests and writes what this decides; the HTTP fuzz target
// (tests/fuzz/fuzz_http_request.cpp) drives the same two pieces, the parser's limits and this
// function, without a network.
//
// Sections: limits · HttpRoute · route_http
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

#include "server/net/browser_policy.h"
#include "server/net/http_listener.h"

namespace sbd {

// ---- limits: a request's header block and body --------------------------------------------------
inline constexpr std::size_t kHttpHeaderLimit = 8 * 1024;
inline constexpr std::size_t kHttpBodyLimit = 64 * 1024;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// The parser every request is read with (a new one per request).
inline void limit_http_parser(boost::beast::http::request_parser<boost::beast::http::string_body>& parser) {
    parser.header_limit(kHttpHeaderLimit);
    parser.body_limit(kHttpBodyLimit);
}

// ---- HttpRoute: the decision --------------------------------------------------------------------
struct HttpRoute {
    enum class Kind { upgrade, reply, file };
    Kind kind = Kind::reply;
    FrameHandler* handler = nullptr;  // upgrade: who serves the WebSocket
    unsigned status = 200;            // reply, file
    std::string content_type = "text/plain; charset=utf-8";
    std::string cache_control;                  // empty: no header
    HeaderList headers;                         // more headers (browser_policy.h: on every response)
    std::string body;                           // reply (not sent for HEAD; its length is)
    std::optional<std::filesystem::path> file;  // file: serve this file's contents
    std::string log_path;                       // the path, for the access log
};

// ---- route_http ---------------------------------------------------------------------------------
// `remote_address`: the client's IP (the telephony API answers loopback clients only); `scheme`:
// how the browser reached the server, "https" when TLS ended here or at a trusted proxy that said
// so (X-Forwarded-Proto), which the Origin check of the WebSockets compares with.
HttpRoute route_http(const HttpRequest& req, const std::string& remote_address, HttpContext& context,
                     std::string_view scheme = "http");

}  // namespace sbd
