// desk_connection.h: one WebSocket (a desk at /desk, a customer at /chat/ws): reads messages and
// hands them to its FrameHandler (DeskService or ChatService), writes the frames the service
// sends back (in order, one write at a time), and closes with 1001 when the server stops.
// Socket errors end the connection; they never escape, and neither does an exception from the
// handler: a bug in one request costs that request an `internal` error, never the process.
//
// What one client can cost is bounded (docs/security.md, "Limits"):
// - memory: frames waiting to be written are counted in bytes. Past `outbox_pause_bytes` the
//   connection stops reading (a client that sends requests but never reads its replies gets no
//   more replies); past `outbox_max_bytes` (events pile up for a peer that does not read) it is
//   closed with 1008. A write that takes longer than `write_timeout` ends the connection.
// - CPU: frames are read at most at `anonymous_rate` (before login) or `authenticated_rate`
//   (a logged-in desk); a faster client is simply read more slowly. The anonymous ones also
//   share one budget (`anonymous_pacer`, anonymous_pacer.h): a number of frames and a share of
//   the I/O thread's time, which each anonymous frame's handling is measured and charged to, so
//   that together they cannot keep the I/O thread from a signed-in agent's requests.
// - time: the first request (hello, or a chat's start/resume) must arrive within
//   `greeting_timeout`; at shutdown the close handshake gets `shutdown_grace`, then the socket
//   is closed whatever the peer does.
//
// The same class serves ws:// and wss://: BasicDeskConnection is a template on what carries the
// WebSocket (a TCP stream, or TLS over one), instantiated for both in desk_connection.cpp; the
// hub holds either through the small WebSocketConnection interface.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "server/app/log.h"
#include "server/desk/desk_hub.h"
#include "server/desk/desk_service.h"
#include "server/net/anonymous_pacer.h"
#include "server/net/connection_gate.h"
#include "server/net/frame_kind_stream.h"
#include "server/net/rate_limit.h"

namespace sbd {

struct WebSocketLimits {
    std::size_t read_message_max = 1024 * 1024;  // above: closed with 1009
    std::size_t outbox_pause_bytes = 1024 * 1024;
    std::size_t outbox_max_bytes = 8 * 1024 * 1024;
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds greeting_timeout{10'000};
    std::chrono::milliseconds idle_timeout{60'000};  // protocol.md: may close after 60 s of silence
    std::chrono::milliseconds shutdown_grace{2'000};
    RateSpec anonymous_rate{20, 40};
    RateSpec authenticated_rate{200, 400};
    AnonymousPacer* anonymous_pacer = nullptr;  // none: no shared budget (tests)
};

// What the hub (and through it the services) can do with a live WebSocket, plain or TLS.
class WebSocketConnection {
public:
    virtual ~WebSocketConnection() = default;
    virtual void send(std::string frame) = 0;
    virtual void close_going_away(CloseWhy why = CloseWhy::Stopping) = 0;
    // The connection logged in: a higher frame rate, and no longer anonymous for the address cap.
    virtual void authenticated() = 0;
};

template <class NextLayer>
class BasicDeskConnection : public WebSocketConnection,
                            public std::enable_shared_from_this<BasicDeskConnection<NextLayer>> {
public:
    // `remote_address`: the client's address (the peer's, or the one a trusted proxy forwarded).
    BasicDeskConnection(NextLayer&& stream, std::optional<ConnectionTicket> ticket, std::string remote_address,
                        FrameHandler& service, DeskHub& hub, Logger& log, const WebSocketLimits& limits);

    // Completes the WebSocket handshake for an upgrade request already read.
    void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void send(std::string frame) override;
    void close_going_away(CloseWhy why = CloseWhy::Stopping) override;
    void authenticated() override;

private:
    void on_accept(boost::beast::error_code ec);
    void read_next();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void handle(std::string_view payload, bool text);
    void write_next();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void start_close(boost::beast::websocket::close_reason reason);
    void close_now(const char* why);  // no handshake: the peer is not listening
    void finish(const char* why, boost::beast::error_code ec);
    int64_t now_ms() const;

    // Without permessage-deflate (`false`): switchboardd never negotiates it (frame_kind_stream.h
    // relies on raw payloads), and leaving it out spares compiling zlib's paths into every stream.
    boost::beast::websocket::stream<FrameKindStream<NextLayer>, false> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    std::size_t outbox_bytes_ = 0;
    std::optional<ConnectionTicket> ticket_;
    std::string remote_address_;
    FrameHandler& service_;
    DeskHub& hub_;
    Logger& log_;
    const WebSocketLimits& limits_;
    ConnectionId id_;
    TokenBucket frames_;
    boost::asio::steady_timer greeting_timer_;
    boost::asio::steady_timer write_timer_;
    boost::asio::steady_timer read_timer_;  // a read held back by the frame rate
    boost::asio::steady_timer close_timer_;
    bool open_ = false;      // handshake done and not yet finished
    bool reading_ = false;   // a read is pending (or held back by the frame rate or the budget)
    bool authenticated_ = false;
    // The next read's place in the anonymous budget (anonymous_pacer.h): none asked yet, waiting
    // for its turn (the read is held back), or granted (the pacer took the token for it).
    enum class Budget { none, waiting, granted };
    Budget budget_ = Budget::none;
    // While waiting: what holds this connection (nothing else is pending), and what the pacer
    // sees of it, weakly.
    std::shared_ptr<void> pacer_ticket_;
    bool paced_ = false;     // the pending read was admitted by the anonymous budget: charge its frame
    bool writing_ = false;
    bool closing_ = false;   // close requested: no more reads handled, close after the outbox drains
    bool close_sent_ = false;
    boost::beast::websocket::close_reason close_reason_{boost::beast::websocket::close_code::going_away};
};

using DeskConnection = BasicDeskConnection<boost::beast::tcp_stream>;  // ws://
using TlsDeskConnection = BasicDeskConnection<TlsStream>;               // wss://
extern template class BasicDeskConnection<boost::beast::tcp_stream>;
extern template class BasicDeskConnection<TlsStream>;

}  // namespace sbd
