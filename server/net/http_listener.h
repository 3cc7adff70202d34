// http_listener.h: the TCP listener and its HTTP sessions. The API paths (http_api.h) are
// answered first, other plain GET/HEAD requests from static_files; a WebSocket upgrade at /desk
// (desk protocol) or /chat/ws (customer chat) becomes a DeskConnection; anything else is a 4xx. stop() closes the acceptor and every HTTP session still open.
//
// With a TLS context the listener speaks only HTTPS and WSS (tls.h): each connection's first
// bytes must be a TLS handshake; plain HTTP there gets a 400 that says to use https://. Each
// request's client address is the peer's, or what a trusted proxy forwarded (trusted_proxies.h);
// the limits, the logs and the loopback checks all see that address.
//
// Sections: HttpContext · HttpListener
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/app/log.h"
#include "server/desk/desk_hub.h"
#include "server/desk/desk_service.h"
#include "server/net/browser_policy.h"
#include "server/net/connection_gate.h"
#include "server/net/desk_connection.h"
#include "server/net/http_api.h"
#include "server/net/rate_limit.h"
#include "server/net/trusted_proxies.h"
#include "util/result.h"

namespace sbd {

// An open connection the listener closes when the server stops.
class Stoppable {
public:
    virtual ~Stoppable() = default;
    virtual void stop() = 0;
};

// Whether this node can serve. Not while it has lost its database (several nodes: it would serve
// what it remembers, which the others may have changed): then every request is answered 503, which the balancer takes as "try another node" (docs/operations.md, "Several
// nodes"), and its WebSockets are closed (DeskHub::close_all, 1013).
struct NodeHealth {
    bool cut_off = false;
};

// ---- HttpContext: what every session needs ------------------------------------------------------
struct HttpContext {
    FrameHandler& service;  // the desk protocol at /desk (DeskService)
    DeskHub& hub;
    Logger& log;
    std::optional<std::filesystem::path> web_root;
    FrameHandler* chat = nullptr;  // the customer chat WebSocket at /chat/ws
    HttpApi* api = nullptr;        // /chat, /sms/inbound, /dev/sms-provider
    ConnectionGate* gate = nullptr;  // connection caps (none without it: tests, fuzzing)
    WebSocketLimits ws_limits{};
    std::shared_ptr<boost::asio::ssl::context> tls;  // HTTPS and WSS only (none: plain HTTP and WS)
    TrustedProxies trusted_proxies;                  // whose X-Forwarded-For is believed
    const BrowserPolicy* browser = nullptr;  // headers, CSP, backends, origins (none: the defaults)
    const NodeHealth* health = nullptr;      // none: always serving (one node, tests)
};

// ---- HttpListener -------------------------------------------------------------------------------
class HttpListener : public std::enable_shared_from_this<HttpListener> {
public:
    HttpListener(boost::asio::io_context& io, HttpContext context) : io_(io), acceptor_(io), context_(context) {}

    // Binds and listens; returns the bound endpoint (port 0 becomes the ephemeral port).
    sb::Result<boost::asio::ip::tcp::endpoint> bind(const std::string& host, unsigned short port);
    void start() { accept_next(); }
    void stop();
    // A session this listener's stop() must close (a TLS connection once its handshake is done).
    void track(std::weak_ptr<Stoppable> session);

private:
    void accept_next();
    void refuse(boost::asio::ip::tcp::socket socket, const std::string& address, const std::string& why);

    static int64_t steady_ms() {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    HttpContext context_;
    std::vector<std::weak_ptr<Stoppable>> sessions_;
    TokenBucket refused_logged_{RateSpec{5, 20}, 0};  // refusals are logged at most this often
};

}  // namespace sbd
