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
};

class FrameHandler {
public:
    virtual ~FrameHandler() = default;
    virtual void open(ConnectionId connection, std::string remote_address) = 0;
    virtual void close(ConnectionId connection) = 0;
    // A complete WebSocket message. `text` is false for binary frames.
    virtual void on_message(ConnectionId connection, std::string_view payload, bool text) = 0;
};

}  // namespace sbd
