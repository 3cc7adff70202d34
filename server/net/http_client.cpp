// http_client.cpp: asynchronous HTTP POST (see http_client.h).
#include "server/net/http_client.h"

#include <memory>

#include <sodium.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sbd {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

sb::Result<HttpUrl> parse_http_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return sb::make_error("bad_url", "Only http:// URLs: " + url);
    std::string rest = url.substr(scheme.size());
    HttpUrl out;
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (!authority.empty() && authority.front() == '[') {  // [v6]:port
        auto close = authority.find(']');
        if (close == std::string::npos) return sb::make_error("bad_url", "Bad host in " + url);
        if (close + 1 < authority.size() && authority[close + 1] == ':') out.port = authority.substr(close + 2);
        authority = authority.substr(1, close - 1);
    } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
        out.port = authority.substr(colon + 1);
        authority = authority.substr(0, colon);
    }
    out.host = authority;
    if (out.host.empty() || out.port.empty()) return sb::make_error("bad_url", "No host in " + url);
    return out;
}

namespace {

class PostOp : public std::enable_shared_from_this<PostOp> {
public:
    PostOp(boost::asio::io_context& io, HttpUrl url, http::request<http::string_body> req, HttpCallback done,
           std::chrono::milliseconds timeout)
        : resolver_(io), stream_(io), url_(std::move(url)), req_(std::move(req)), done_(std::move(done)),
          timeout_(timeout) {}

    void start() {
        resolver_.async_resolve(url_.host, url_.port,
                                [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                                    if (ec) return self->finish(ec, "resolve");
                                    self->stream_.expires_after(self->timeout_);
                                    self->stream_.async_connect(r, [self](beast::error_code ec2, auto) {
                                        if (ec2) return self->finish(ec2, "connect");
                                        self->write();
                                    });
                                });
    }

private:
    void write() {
        http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            // Written (or not): the body may hold a card for the payment gateway; wipe it now,
            // not when the answer comes (up to the timeout later).
            std::string& body = self->req_.body();
            sodium_memzero(body.data(), body.size());
            body.clear();
            if (ec) return self->finish(ec, "write");
            http::async_read(self->stream_, self->buffer_, self->res_,
                             [self](beast::error_code ec2, std::size_t) {
                                 if (ec2) return self->finish(ec2, "read");
                                 self->finish({}, nullptr);
                             });
        });
    }

    void finish(beast::error_code ec, const char* stage) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
        if (!done_) return;
        auto done = std::move(done_);
        done_ = nullptr;
        if (ec) return done(sb::make_error("http_failed", std::string(stage) + ": " + ec.message()));
        done(HttpResponse{res_.result_int(), res_.body()});
    }

    tcp::resolver resolver_;
    beast::tcp_stream stream_;
    HttpUrl url_;
    http::request<http::string_body> req_;
    HttpCallback done_;
    std::chrono::milliseconds timeout_;
    beast::flat_buffer buffer_;
    http::response<http::string_body> res_;
};

}  // namespace

void http_post(boost::asio::io_context& io, const HttpUrl& url, const std::string& content_type, std::string body,
               std::chrono::milliseconds timeout, HttpCallback done, const HttpHeaders& headers) {
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host + ":" + url.port);
    req.set(http::field::user_agent, "switchboardd/0.1");
    req.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers) req.set(name, value);
    req.keep_alive(false);
    req.body() = std::move(body);
    req.prepare_payload();
    std::make_shared<PostOp>(io, url, std::move(req), std::move(done), timeout)->start();
}

}  // namespace sbd
