#include "native/websocket_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>

namespace sb::native {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

WebSocketClient::WebSocketClient(asio::io_context& ioc, WebSocketCallbacks callbacks, TlsClientOptions tls)
    : ioc_(ioc), resolver_(ioc), tls_options_(std::move(tls)), cb_(std::move(callbacks)) {
    plain_ws_.emplace(ioc_);  // until open() says wss://
}

tcp::socket& WebSocketClient::socket() {
    if (tls_ws_) return beast::get_lowest_layer(*tls_ws_);
    return beast::get_lowest_layer(*plain_ws_);
}

void WebSocketClient::open(const std::string& url, const std::string& subprotocol) {
    subprotocol_ = subprotocol;
    // ws://host:port/path or wss://host:port/path
    std::string rest = url;
    bool secure = false;
    if (rest.rfind("ws://", 0) == 0) rest = rest.substr(5);
    else if (rest.rfind("wss://", 0) == 0) rest = rest.substr(6), secure = true;
    else return fail("Only ws:// and wss:// URLs are supported: " + url);
    auto slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    path_ = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = hostport.rfind(':');
    if (colon != std::string::npos && hostport.find(']') != std::string::npos && colon < hostport.find(']'))
        colon = std::string::npos;  // [v6] without a port
    host_ = hostport.substr(0, colon);
    port_ = colon == std::string::npos ? (secure ? "443" : "80") : hostport.substr(colon + 1);
    std::string bare_host = host_;
    if (bare_host.size() >= 2 && bare_host.front() == '[') bare_host = bare_host.substr(1, bare_host.size() - 2);

    if (secure) {
        tls_context_ = std::make_shared<ssl::context>(ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
        beast::error_code ec;
        if (tls_options_.ca_file.empty()) tls_context_->set_default_verify_paths(ec);
        else tls_context_->load_verify_file(tls_options_.ca_file, ec);
        if (ec) return fail("Cannot load the trusted certificates (" + tls_options_.ca_file + "): " + ec.message());
        tls_context_->set_verify_mode(ssl::verify_peer);
        plain_ws_.reset();
        tls_ws_.emplace(ioc_, *tls_context_);
        auto& stream = tls_ws_->next_layer();
        stream.set_verify_callback(ssl::host_name_verification(bare_host));
        // SNI, for servers with several names (not for IP addresses).
        beast::error_code not_ip;
        asio::ip::make_address(bare_host, not_ip);
        if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), bare_host.c_str());
    }
    auto self = shared_from_this();
    resolver_.async_resolve(bare_host, port_, [self](beast::error_code ec, tcp::resolver::results_type results) {
        if (self->closed_) return;
        if (ec) return self->fail("Cannot resolve " + self->host_ + ": " + ec.message());
        self->with_ws([&](auto& ws) { self->start(ws, std::move(results)); });
    });
}

template <class Ws>
void WebSocketClient::start(Ws& ws, tcp::resolver::results_type results) {
    if (!subprotocol_.empty()) {
        ws.set_option(beast::websocket::stream_base::decorator([p = subprotocol_](beast::websocket::request_type& req) {
            req.set(beast::http::field::sec_websocket_protocol, p);
        }));
    }
    auto self = shared_from_this();
    asio::async_connect(beast::get_lowest_layer(ws), results, [self, &ws](beast::error_code ec, const tcp::endpoint&) {
        if (self->closed_) return;
        if (ec) return self->fail("Cannot connect: " + ec.message());
        beast::error_code ignored;  // frames go out at once (no Nagle)
        beast::get_lowest_layer(ws).set_option(tcp::no_delay(true), ignored);
        if constexpr (std::is_same_v<Ws, TlsWs>) {
            ws.next_layer().async_handshake(ssl::stream_base::client, [self, &ws](beast::error_code ec) {
                if (self->closed_) return;
                if (ec) return self->fail("TLS handshake failed: " + ec.message());
                self->handshake(ws);
            });
        } else {
            self->handshake(ws);
        }
    });
}

template <class Ws>
void WebSocketClient::handshake(Ws& ws) {
    auto self = shared_from_this();
    ws.async_handshake(response_, host_ + ":" + port_, path_, [self, &ws](beast::error_code ec) {
        if (self->closed_) return;
        if (ec) return self->fail("Handshake failed: " + ec.message());
        if (!self->subprotocol_.empty() &&
            self->response_[beast::http::field::sec_websocket_protocol] != self->subprotocol_)
            return self->fail("The server did not accept the \"" + self->subprotocol_ + "\" subprotocol.");
        self->open_ = true;
        ws.text(true);
        if (self->cb_.on_open) self->cb_.on_open();
        self->read();
        self->write_next();
    });
}

void WebSocketClient::read() {
    auto self = shared_from_this();
    with_ws([&](auto& ws) {
        ws.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
            if (self->closed_) return;
            if (ec) return self->fail(ec == beast::websocket::error::closed ? "The backend closed the connection."
                                                                            : "Connection lost: " + ec.message());
            std::string text = beast::buffers_to_string(self->buffer_.data());
            self->buffer_.consume(self->buffer_.size());
            if (self->cb_.on_frame) self->cb_.on_frame(std::move(text));
            if (!self->closed_) self->read();
        });
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
    with_ws([&](auto& ws) {
        ws.async_write(asio::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            if (self->closed_) return;
            if (ec) return self->fail("Send failed: " + ec.message());
            self->outbox_.pop_front();
            self->write_next();
        });
    });
}

void WebSocketClient::fail(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    socket().close(ignored);
    if (cb_.on_close) cb_.on_close(reason);
}

void WebSocketClient::close() {
    if (closed_) return;
    closed_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    socket().close(ignored);
}

}  // namespace sb::native
