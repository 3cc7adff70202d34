// frame_handler.h: what a WebSocket connection hands its messages to (the desk protocol at
// /desk, the customer chat at /chat/ws). Socket-free: ids in, frames out through DeskOutput.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sbd {

using ConnectionId = uint64_t;

// Where frames for a connection go (a socket, or a test's list).
class DeskOutput {
public:
    virtual ~DeskOutput() = default;
    virtual void send(ConnectionId connection, std::string frame) = 0;
    // The connection logged in as an agent: the socket layer lifts its anonymous limits.
    virtual void authenticated(ConnectionId) {}
};

class FrameHandler {
public:
    // Who connects: agents' desks (anonymous until they sign in) or customers (a chat). Anonymous
    // frames of the two queue apart and take turns (anonymous_pacer.h), so that a flood of one
    // kind (a thousand chats) does not hold up the other (an agent signing in).
    enum class Audience { agents, customers };

    virtual ~FrameHandler() = default;
    virtual Audience audience() const = 0;
    virtual void open(ConnectionId connection, std::string remote_address) = 0;
    virtual void close(ConnectionId connection) = 0;
    // A complete WebSocket message. `text` is false for binary frames.
    virtual void on_message(ConnectionId connection, std::string_view payload, bool text) = 0;
    // Whether the connection has made its first request (a desk's hello, a chat's start or
    // resume); one that has not within the greeting timeout is closed.
    virtual bool greeted(ConnectionId connection) const = 0;
    // What the client is sent when handling one of its frames failed inside the server (a bug):
    // the protocol's own `internal` error.
    virtual std::string internal_error_frame() const = 0;
};

}  // namespace sbd
