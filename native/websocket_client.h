// native/websocket_client.h: one client WebSocket connection (Boost.Beast), text frames in and
// out, reporting open, frames and close through callbacks. Closing it silences its callbacks.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace sb::native {

struct WebSocketCallbacks {
    std::function<void()> on_open;
    std::function<void(std::string)> on_frame;
    std::function<void(std::string reason)> on_close;
};

class WebSocketClient : public std::enable_shared_from_this<WebSocketClient> {
public:
    WebSocketClient(boost::asio::io_context& ioc, WebSocketCallbacks callbacks);
    // `subprotocol`: asked for in the handshake ("sip" for RFC 7118) and required in the answer.
    void open(const std::string& url, const std::string& subprotocol = "");
    void send(std::string text);
    void close();  // no callback follows

private:
    void fail(const std::string& reason);
    void read();
    void write_next();

    boost::asio::ip::tcp::resolver resolver_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    boost::beast::flat_buffer buffer_;
    WebSocketCallbacks cb_;
    std::deque<std::string> outbox_;
    std::string host_, port_, path_, subprotocol_;
    boost::beast::websocket::response_type response_;
    bool open_ = false, closed_ = false, writing_ = false;
};

}  // namespace sb::native
