// http_listener.cpp: TCP listener, HTTP sessions, upgrade to /desk (see http_listener.h).
#include "http_listener.h"

#include <algorithm>
#include <chrono>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "desk_connection.h"
#include "http_routes.h"

namespace sbd {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One keep-alive HTTP connection until it upgrades, closes or the server stops.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, std::string address, std::optional<ConnectionTicket> ticket, HttpContext& context)
        : stream_(std::move(socket)), context_(context), address_(std::move(address)), ticket_(std::move(ticket)) {}

    void start() { read_next(); }
    void stop() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

private:
    void read_next() {
        parser_.emplace();
        limit_http_parser(*parser_);
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
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
        HttpRoute route;
        try {
            route = route_http(req, address_, context_);
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
            auto ws = std::make_shared<DeskConnection>(std::move(stream_), std::move(ticket_), address_,
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
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive()) {
                beast::error_code ignored;
                self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                return;
            }
            self->read_next();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpContext& context_;
    std::string address_;
    std::optional<ConnectionTicket> ticket_;  // given back when the session (or its WebSocket) ends
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
            auto session = std::make_shared<HttpSession>(std::move(socket), std::move(address), std::move(ticket),
                                                         self->context_);
            auto& list = self->sessions_;
            list.erase(std::remove_if(list.begin(), list.end(), [](auto& w) { return w.expired(); }), list.end());
            list.push_back(session);
            session->start();
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

void HttpListener::stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : sessions_)
        if (auto s = weak.lock()) s->stop();
    sessions_.clear();
}

}  // namespace sbd
