// routing.cpp: longest-idle-agent routing (see routing.h).
#include "server/contacts/routing.h"

namespace sbd {

namespace {

bool has_room(const RoutableAgent& a, Channel channel) {
    auto cap = a.capacity.find(channel);
    int max = cap == a.capacity.end() ? 0 : cap->second;
    auto load = a.load.find(channel);
    return (load == a.load.end() ? 0 : load->second) < max;
}

// Is `a` a better choice than `b` for contact `c`?
bool better(const RoutableAgent& a, const RoutableAgent& b, const RoutableContact& c) {
    bool a_declined = c.declined.count(a.username) > 0, b_declined = c.declined.count(b.username) > 0;
    if (a_declined != b_declined) return !a_declined;
    if (a.idle_since != b.idle_since) return a.idle_since < b.idle_since;
    return a.username < b.username;
}

}  // namespace

std::vector<PlannedOffer> plan_offers(const std::vector<RoutableContact>& queued, std::vector<RoutableAgent> agents,
                                      int64_t now) {
    std::vector<PlannedOffer> out;
    for (const RoutableContact& c : queued) {
        RoutableAgent* best = nullptr;
        for (RoutableAgent& a : agents) {
            if (!has_room(a, c.channel)) continue;
            if (c.target_agent) {
                if (a.username != *c.target_agent) continue;
            } else if (!a.skills.count(c.skill)) {
                continue;
            }
            if (!best || better(a, *best, c)) best = &a;
        }
        if (!best) continue;  // waits; later contacts of other channels or queues may still go
        out.push_back({c.id, best->username});
        best->load[c.channel]++;
        best->idle_since = now;
    }
    return out;
}

}  // namespace sbd
