// desk_hub.h: the live desk connections by id. It is the DeskService's output (frames to a
// connection id go to that socket) and what shutdown uses to close every WebSocket.
#pragma once

#include <memory>
#include <unordered_map>

#include "server/desk/desk_service.h"

namespace sbd {

class WebSocketConnection;  // desk_connection.h: a plain or a TLS WebSocket

// Why the server closes a WebSocket itself: it is stopping (1001, going away), or this node cannot
// serve now, having lost its database (1013, try again later: a client reconnects, and the
// balancer sends it to another node).
enum class CloseWhy { Stopping, NodeUnavailable };

class DeskHub : public DeskOutput {
public:
    ConnectionId next_id() { return ++last_id_; }
    void add(ConnectionId id, std::weak_ptr<WebSocketConnection> connection) { connections_[id] = std::move(connection); }
    void remove(ConnectionId id) { connections_.erase(id); }

    void send(ConnectionId id, std::string frame) override;
    void authenticated(ConnectionId id) override;
    // Closes every WebSocket (1001 when stopping, 1013 when this node cannot serve).
    void close_all(CloseWhy why = CloseWhy::Stopping);
    std::size_t size() const { return connections_.size(); }

private:
    ConnectionId last_id_ = 0;
    std::unordered_map<ConnectionId, std::weak_ptr<WebSocketConnection>> connections_;
};

}  // namespace sbd
