// desk_hub.cpp: live desk connections (see desk_hub.h).
#include "server/desk/desk_hub.h"

#include <vector>

#include "server/net/desk_connection.h"

namespace sbd {

void DeskHub::send(ConnectionId id, std::string frame) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (auto c = it->second.lock()) c->send(std::move(frame));
}

void DeskHub::authenticated(ConnectionId id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (auto c = it->second.lock()) c->authenticated();
}

void DeskHub::close_all(CloseWhy why) {
    std::vector<std::shared_ptr<WebSocketConnection>> live;
    for (auto& [id, weak] : connections_)
        if (auto c = weak.lock()) live.push_back(std::move(c));
    for (auto& c : live) c->close_going_away(why);
}

}  // namespace sbd
