#include "native/websocket_client.h"

#include <boost/asio/connect.hpp>

namespace sb::native {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

WebSocketClient::WebSocketClient(asio::io_context& ioc, WebSocketCallbacks callbacks)
    : resolver_(ioc), ws_(ioc), cb_(std::move(callbacks)) {}

void WebSocketClient::open(const std::string& url, const std::string& subprotocol) {
    subprotocol_ = subprotocol;
    if (!subprotocol_.empty()) {
        ws_.set_option(beast::websocket::stream_base::decorator([p = subprotocol_](beast::websocket::request_type& req) {
            req.set(beast::http::field::sec_websocket_protocol, p);
        }));
    }
    // ws://host:port/path (wss is for the browser build, behind a TLS-terminating proxy)
    std::string rest = url;
    if (rest.rfind("ws://", 0) == 0) rest = rest.substr(5);
    else return fail("Only ws:// URLs are supported natively: " + url);
    auto slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    path_ = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = hostport.rfind(':');
    host_ = hostport.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
    auto self = shared_from_this();
    resolver_.async_resolve(host_, port_, [self](beast::error_code ec, tcp::resolver::results_type results) {
        if (self->closed_) return;
        if (ec) return self->fail("Cannot resolve " + self->host_ + ": " + ec.message());
        asio::async_connect(beast::get_lowest_layer(self->ws_), results,
                            [self](beast::error_code ec, const tcp::endpoint&) {
                                if (self->closed_) return;
                                if (ec) return self->fail("Cannot connect: " + ec.message());
                                beast::error_code ignored;  // frames go out at once (no Nagle)
                                beast::get_lowest_layer(self->ws_).set_option(tcp::no_delay(true), ignored);
                                self->ws_.async_handshake(self->response_, self->host_ + ":" + self->port_, self->path_,
                                                          [self](beast::error_code ec) {
                                                              if (self->closed_) return;
                                                              if (ec) return self->fail("Handshake failed: " + ec.message());
                                                              if (!self->subprotocol_.empty() &&
                                                                  self->response_[beast::http::field::sec_websocket_protocol] !=
                                                                      self->subprotocol_)
                                                                  return self->fail("The server did not accept the \"" +
                                                                                    self->subprotocol_ + "\" subprotocol.");
                                                              self->open_ = true;
                                                              self->ws_.text(true);
                                                              if (self->cb_.on_open) self->cb_.on_open();
                                                              self->read();
                                                              self->write_next();
                                                          });
                            });
    });
}

void WebSocketClient::read() {
    auto self = shared_from_this();
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
        if (self->closed_) return;
        if (ec) return self->fail(ec == beast::websocket::error::closed ? "The backend closed the connection."
                                                                        : "Connection lost: " + ec.message());
        std::string text = beast::buffers_to_string(self->buffer_.data());
        self->buffer_.consume(self->buffer_.size());
        if (self->cb_.on_frame) self->cb_.on_frame(std::move(text));
        if (!self->closed_) self->read();
    });
}

void WebSocketClient::send(std::string text) {
    if (closed_) return;
    outbox_.push_back(std::move(text));
    if (open_) write_next();
}

void WebSocketClient::write_next() {
    if (writing_ || outbox_.empty() || closed_) return;
    writing_ = true;
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (self->closed_) return;
        if (ec) return self->fail("Send failed: " + ec.message());
        self->outbox_.pop_front();
        self->write_next();
    });
}

void WebSocketClient::fail(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    if (cb_.on_close) cb_.on_close(reason);
}

void WebSocketClient::close() {
    if (closed_) return;
    closed_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
}

}  // namespace sb::native
