// native/websocket_client.h: one client WebSocket connection (Boost.Beast), text frames in and
// out, reporting open, frames and close through callbacks. Closing it silences its callbacks.
// ws:// and wss:// URLs; over wss:// the server's certificate is verified (the system's CAs, or
// only the CA file given in TlsClientOptions) and must name the URL's host.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace sb::native {

struct WebSocketCallbacks {
    std::function<void()> on_open;
    std::function<void(std::string)> on_frame;
    std::function<void(std::string reason)> on_close;
};

// How wss:// connections trust a server.
struct TlsClientOptions {
    std::string ca_file;  // PEM: trust only this CA (a private CA, a test's); empty: the system's
};

class WebSocketClient : public std::enable_shared_from_this<WebSocketClient> {
public:
    WebSocketClient(boost::asio::io_context& ioc, WebSocketCallbacks callbacks, TlsClientOptions tls = {});
    // `subprotocol`: asked for in the handshake ("sip" for RFC 7118) and required in the answer.
    void open(const std::string& url, const std::string& subprotocol = "");
    void send(std::string text);
    void close();  // no callback follows

private:
    // Without permessage-deflate (`false`): never offered, and its code would only cost compile time.
    using PlainWs = boost::beast::websocket::stream<boost::asio::ip::tcp::socket, false>;
    using TlsWs = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>, false>;

    template <class F>
    void with_ws(F&& f) {
        if (tls_ws_) f(*tls_ws_);
        else f(*plain_ws_);
    }
    boost::asio::ip::tcp::socket& socket();
    template <class Ws>
    void start(Ws& ws, boost::asio::ip::tcp::resolver::results_type results);
    template <class Ws>
    void handshake(Ws& ws);
    void fail(const std::string& reason);
    void read();
    void write_next();

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::resolver resolver_;
    TlsClientOptions tls_options_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_;
    std::optional<PlainWs> plain_ws_;
    std::optional<TlsWs> tls_ws_;
    boost::beast::flat_buffer buffer_;
    WebSocketCallbacks cb_;
    std::deque<std::string> outbox_;
    std::string host_, port_, path_, subprotocol_;
    boost::beast::websocket::response_type response_;
    bool open_ = false, closed_ = false, writing_ = false;
};

}  // namespace sb::native
