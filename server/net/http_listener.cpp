// http_listener.cpp: TCP listener, HTTP sessions, upgrade to /desk (see http_listener.h).
#include "server/net/http_listener.h"

#include <algorithm>
#include <chrono>
#include <type_traits>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "server/net/desk_connection.h"
#include "server/net/http_routes.h"

namespace sbd {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// One keep-alive HTTP connection until it upgrades, closes or the server stops.
// `Stream`: beast::tcp_stream (http://) or TlsStream (https://, handshake done).
template <class Stream>
class HttpSession : public Stoppable, public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    HttpSession(Stream&& stream, beast::flat_buffer buffer, std::string peer, std::optional<ConnectionTicket> ticket,
                HttpContext& context)
        : stream_(std::move(stream)),
          buffer_(std::move(buffer)),
          context_(context),
          peer_(std::move(peer)),
          ticket_(std::move(ticket)) {}

    void start() { read_next(); }
    void stop() override {
        if (upgraded_) return;  // the stream is the WebSocket's now (the hub closes those)
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

private:
    void read_next() {
        parser_.emplace();
        limit_http_parser(*parser_);
        lowest().expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit && parser_) {
            // Too large to read: say so, then close (the rest of the body is not read). Beast
            // refuses a Content-Length over the limit as it finishes the header, before the
            // header counts as done; the request line and fields are already read.
            auto res = std::make_shared<http::response<http::string_body>>(http::status::payload_too_large,
                                                                            parser_->get().version());
            res->set(http::field::content_type, "text/plain; charset=utf-8");
            apply_headers(*res, common_headers());
            res->keep_alive(false);
            res->body() = "Request body too large.\n";
            res->prepare_payload();
            return write(res);
        }
        if (ec) return;  // closed, timed out or garbage: nothing to answer
        http::request<http::string_body> req = parser_->release();
        // Who the client is: the peer, or (from a trusted proxy) whom it forwarded. Each request
        // anew: a proxy may send several clients' requests over one connection.
        std::string address = peer_;
        // How the browser reached us: TLS here, or TLS at a trusted proxy that says so.
        std::string_view scheme = context_.tls ? "https" : "http";
        if (!context_.tls && context_.trusted_proxies.contains(peer_)) {
            auto proto = req.find("X-Forwarded-Proto");
            if (proto != req.end() && boost::beast::iequals(proto->value(), "https")) scheme = "https";
        }
        if (!context_.trusted_proxies.empty()) {
            std::string forwarded;
            auto [it, last] = req.equal_range("X-Forwarded-For");
            for (; it != last; ++it) {
                if (!forwarded.empty()) forwarded += ',';
                forwarded.append(it->value().data(), it->value().size());
            }
            address = context_.trusted_proxies.client_address(peer_, forwarded);
        }
        HttpRoute route;
        try {
            route = route_http(req, address, context_, scheme);
        } catch (const std::exception& e) {
            // A bug, not the client's fault; the one request fails, the server and its other
            // connections go on (an exception out of a handler would stop the I/O loop).
            context_.log.error("http request failed", {{"path", std::string(req.target().substr(0, 200))}, {"error", e.what()}});
            route = HttpRoute{};
            route.headers = common_headers();
            route.status = 500;
            route.body = "The server failed; try again.\n";
        }
        switch (route.kind) {
        case HttpRoute::Kind::upgrade: {
            upgraded_ = true;
            auto ws = std::make_shared<BasicDeskConnection<Stream>>(std::move(stream_), std::move(ticket_), address,
                                                       *route.handler, context_.hub, context_.log,
                                                       context_.ws_limits);
            ws->start(std::move(req));
            return;
        }
        case HttpRoute::Kind::file:
            context_.log.debug("http", {{"method", std::string(req.method_string())}, {"path", route.log_path},
                                        {"status", route.status}});
            return respond_file(req, route);
        case HttpRoute::Kind::reply:
            break;
        }
        if (!route.log_path.empty())
            context_.log.debug("http", {{"method", std::string(req.method_string())}, {"path", route.log_path},
                                        {"status", route.status}});
        auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(route.status),
                                                                        req.version());
        res->set(http::field::content_type, route.content_type);
        if (!route.cache_control.empty()) res->set(http::field::cache_control, route.cache_control);
        apply_headers(*res, route.headers);
        res->keep_alive(req.keep_alive());
        std::size_t length = route.body.size();
        if (req.method() != http::verb::head) res->body() = std::move(route.body);
        res->content_length(length);
        write(res);
    }

    void respond_text(const http::request<http::string_body>& req, http::status status, std::string text) {
        auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
        res->set(http::field::content_type, "text/plain; charset=utf-8");
        apply_headers(*res, common_headers());
        res->keep_alive(req.keep_alive());
        res->body() = std::move(text);
        res->prepare_payload();
        write(res);
    }

    void respond_file(const http::request<http::string_body>& req, const HttpRoute& reply) {
        http::file_body::value_type body;
        beast::error_code ec;
        body.open(reply.file->c_str(), beast::file_mode::scan, ec);
        if (ec) return respond_text(req, http::status::not_found, "Not found.\n");
        auto size = body.size();
        auto set_headers = [&](auto& res) {
            res.set(http::field::content_type, reply.content_type);
            if (!reply.cache_control.empty()) res.set(http::field::cache_control, reply.cache_control);
            apply_headers(res, reply.headers);
            res.keep_alive(req.keep_alive());
            res.content_length(size);
        };
        if (req.method() == http::verb::head) {
            auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, req.version());
            set_headers(*res);
            return write(res);
        }
        auto res = std::make_shared<http::response<http::file_body>>(
            std::piecewise_construct, std::make_tuple(std::move(body)), std::make_tuple(http::status::ok, req.version()));
        set_headers(*res);
        write(res);
    }

    template <class Response>
    void write(std::shared_ptr<Response> res) {
        http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive()) return self->end(ec);
            self->read_next();
        });
    }

    // The last response is written: say so to the peer.
    void end(beast::error_code ec) {
        beast::error_code ignored;
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
        } else {
            if (ec) return lowest().close();
            // close_notify, then wait (briefly) for the peer's; either way the socket closes.
            lowest().expires_after(std::chrono::seconds(5));
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
        }
    }

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpContext& context_;
    std::string peer_;  // the TCP peer's address
    std::optional<ConnectionTicket> ticket_;  // given back when the session (or its WebSocket) ends
    bool upgraded_ = false;
};

// A connection to the TLS listener before its handshake: the first bytes decide. A TLS
// ClientHello gets the handshake, then an HttpSession over TLS; anything else is someone
// speaking plain HTTP to an HTTPS port, who is told so and closed.
class TlsHandshake : public Stoppable, public std::enable_shared_from_this<TlsHandshake> {
public:
    TlsHandshake(tcp::socket socket, std::string peer, std::optional<ConnectionTicket> ticket, HttpContext& context,
                 std::weak_ptr<HttpListener> listener)
        : tcp_(std::move(socket)),
          context_(context),
          peer_(std::move(peer)),
          ticket_(std::move(ticket)),
          listener_(std::move(listener)) {}

    void start() {
        tcp_.expires_after(std::chrono::seconds(10));  // detection and handshake together
        beast::async_detect_ssl(tcp_, buffer_, [self = shared_from_this()](beast::error_code ec, bool tls) {
            if (ec) return;  // closed or timed out before saying anything
            if (tls) return self->handshake();
            self->refuse_plain();
        });
    }
    void stop() override {
        if (handed_over_) return;
        beast::error_code ignored;
        if (tls_) {
            beast::get_lowest_layer(*tls_).socket().shutdown(tcp::socket::shutdown_both, ignored);
            beast::get_lowest_layer(*tls_).close();
        } else {
            tcp_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            tcp_.close();
        }
    }

private:
    void handshake() {
        tls_.emplace(std::move(tcp_), *context_.tls);
        tls_->async_handshake(ssl::stream_base::server, buffer_.data(),
                              [self = shared_from_this()](beast::error_code ec, std::size_t used) {
                                  self->on_handshake(ec, used);
                              });
    }

    void on_handshake(beast::error_code ec, std::size_t used) {
        if (ec) {
            // Bad clients, scanners and browsers that do not trust the certificate all end here.
            context_.log.limited(LogLevel::Info, "tls handshake failed", {{"peer", peer_}, {"error", ec.message()}});
            return;
        }
        buffer_.consume(used);
        handed_over_ = true;
        auto session = std::make_shared<HttpSession<TlsStream>>(std::move(*tls_), std::move(buffer_), peer_,
                                                                 std::move(ticket_), context_);
        tls_.reset();
        if (auto listener = listener_.lock()) listener->track(session);
        session->start();
    }

    void refuse_plain() {
        // Read the request (so that closing does not reset the connection under our answer),
        // then answer in plain HTTP.
        parser_.emplace();
        limit_http_parser(*parser_);
        http::async_read(tcp_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec && ec != http::error::body_limit) return;
            auto res = std::make_shared<http::response<http::string_body>>(http::status::bad_request, 11);
            res->set(http::field::content_type, "text/plain; charset=utf-8");
            res->keep_alive(false);
            res->body() = "This port speaks HTTPS only: use https:// (and wss:// for WebSockets).\n";
            res->prepare_payload();
            http::async_write(self->tcp_, *res, [self, res](beast::error_code, std::size_t) {
                beast::error_code ignored;
                self->tcp_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            });
        });
    }

    beast::tcp_stream tcp_;
    std::optional<TlsStream> tls_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpContext& context_;
    std::string peer_;
    std::optional<ConnectionTicket> ticket_;
    std::weak_ptr<HttpListener> listener_;
    bool handed_over_ = false;  // the stream is an HttpSession's now
};

// ---- HttpListener -------------------------------------------------------------------------------
sb::Result<tcp::endpoint> HttpListener::bind(const std::string& host, unsigned short port) {
    beast::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) return sb::make_error("bad_listen", "Not an IP address: " + host);
    tcp::endpoint endpoint(address, port);
    auto fail = [&](const char* what) { return sb::make_error("listen_failed", std::string(what) + ": " + ec.message()); };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("bind");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen");
    auto local = acceptor_.local_endpoint(ec);
    if (ec) return fail("local_endpoint");
    return local;
}

void HttpListener::accept_next() {
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec != net::error::operation_aborted) self->context_.log.warn("accept failed", {{"error", ec.message()}});
            if (!self->acceptor_.is_open()) return;
        } else {
            // Small frames go out at once: with Nagle's algorithm an event written just before
            // its reply waited for the peer's delayed ACK (about 40 ms a request).
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            auto remote = socket.remote_endpoint(ignored);
            std::string address = ignored ? "unknown" : remote.address().to_string();
            std::optional<ConnectionTicket> ticket;
            if (self->context_.gate) {
                std::string why;
                auto admitted = self->context_.gate->admit(address, &why);
                if (!admitted) return self->refuse(std::move(socket), address, why);
                ticket.emplace(std::move(*admitted));
            }
            if (self->context_.tls) {
                auto session = std::make_shared<TlsHandshake>(std::move(socket), std::move(address), std::move(ticket),
                                                              self->context_, self);
                self->track(session);
                session->start();
            } else {
                auto session = std::make_shared<HttpSession<beast::tcp_stream>>(
                    beast::tcp_stream(std::move(socket)), beast::flat_buffer(), std::move(address), std::move(ticket),
                    self->context_);
                self->track(session);
                session->start();
            }
        }
        self->accept_next();
    });
}

void HttpListener::refuse(tcp::socket socket, const std::string& address, const std::string& why) {
    // Over a cap: say so in one small write (the socket's buffer takes it at once) and close,
    // before reading anything of the request.
    static const std::string kFull =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 10\r\n"
        "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
        "Connection: close\r\nContent-Length: 45\r\n\r\nToo many connections; try again in a moment.\n";
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(kFull), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    if (refused_logged_.take(steady_ms()))
        context_.log.warn("connection refused", {{"address", address}, {"why", why}});
    accept_next();
}

void HttpListener::track(std::weak_ptr<Stoppable> session) {
    auto& list = sessions_;
    list.erase(std::remove_if(list.begin(), list.end(), [](auto& w) { return w.expired(); }), list.end());
    list.push_back(std::move(session));
}

void HttpListener::stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : sessions_)
        if (auto s = weak.lock()) s->stop();
    sessions_.clear();
}

}  // namespace sbd
