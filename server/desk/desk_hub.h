// desk_hub.h: the live desk connections by id. It is the DeskService's output (frames to a
// connection id go to that socket) and what shutdown uses to close every WebSocket.
#pragma once

#include <memory>
#include <unordered_map>

#include "server/desk/desk_service.h"

namespace sbd {

class WebSocketConnection;  // desk_connection.h: a plain or a TLS WebSocket

class DeskHub : public DeskOutput {
public:
    ConnectionId next_id() { return ++last_id_; }
    void add(ConnectionId id, std::weak_ptr<WebSocketConnection> connection) { connections_[id] = std::move(connection); }
    void remove(ConnectionId id) { connections_.erase(id); }

    void send(ConnectionId id, std::string frame) override;
    void authenticated(ConnectionId id) override;
    // Closes every WebSocket with 1001 (going away).
    void close_all();

private:
    ConnectionId last_id_ = 0;
    std::unordered_map<ConnectionId, std::weak_ptr<WebSocketConnection>> connections_;
};

}  // namespace sbd
