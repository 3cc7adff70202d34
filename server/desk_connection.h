// desk_connection.h: one WebSocket (a desk at /desk, a customer at /chat/ws): reads messages and
// hands them to its FrameHandler (DeskService or ChatService),
// writes the frames the service sends back (in order, one write at a time), and
// closes with 1001 when the server stops. Socket errors end the connection; they never escape.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "desk_hub.h"
#include "desk_service.h"
#include "frame_kind_stream.h"
#include "log.h"

namespace sbd {

class DeskConnection : public std::enable_shared_from_this<DeskConnection> {
public:
    static constexpr std::size_t kReadMessageMax = 1024 * 1024;  // above: closed with 1009

    DeskConnection(boost::beast::tcp_stream&& stream, std::string remote_address, FrameHandler& service,
                   DeskHub& hub, Logger& log);

    // Completes the WebSocket handshake for an upgrade request already read.
    void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void send(std::string frame);
    void close_going_away();

private:
    void on_accept(boost::beast::error_code ec);
    void read_next();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void write_next();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void start_close();
    void finish(const char* why, boost::beast::error_code ec);

    boost::beast::websocket::stream<FrameKindStream> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    std::string remote_address_;
    FrameHandler& service_;
    DeskHub& hub_;
    Logger& log_;
    ConnectionId id_;
    bool open_ = false;      // handshake done and not yet finished
    bool writing_ = false;
    bool closing_ = false;   // close requested: no more reads handled, close after the outbox drains
    bool close_sent_ = false;
};

}  // namespace sbd
