// acd.h: the automatic contact distributor's memory and its questions about queues. ContactService
// owns one: it asks the Acd which queue a number or an agent belongs to, what a routing pass has to
// work with, and where a waiting customer stands; it carries out the offers (routing.h decides a
// pass) and tells the Acd what happened (an offer declined, an agent busy, a contact saved or
// closed). No store, no clock, no links: every input is an argument, so the unit tests drive it
// directly (tests/unit/server/acd_test.cpp).
//
// What it remembers between calls:
// - the queues and each agent's skills and capacity per channel (loaded from the store);
// - who declined (rejected, missed, or transferred away) each contact: they come last for it;
// - when each agent was last busy (an offer, a contact leaving them): the longest idle goes first;
// - when each contact entered a queue from outside (arrival, transfer, restart; a declined offer
//   does not restart the customer's wait): for the queue's maximum wait;
// - what each waiting chat customer was last told (position, estimated wait): told again only
//   when it changes.
// Sections: queues · bookkeeping · routing inputs · waiting customers
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/presence.h"
#include "server/contacts/routing.h"
#include "server/store/contact_store.h"

namespace sbd {

class Acd {
public:
    using OpenContacts = std::map<std::string, ContactRecord>;

    // ---- queues ----
    void load(std::vector<QueueRecord> queues, std::map<std::string, AgentRouting> routing);
    const std::vector<QueueRecord>& queues() const { return queues_; }
    const QueueRecord* find_queue(const std::string& code) const;
    // Where chats and SMS to an unknown number go: the default queue, else the first.
    const QueueRecord* default_queue() const;
    // The queue whose number this is (digits compared, so "+1 (555) 010-0100" finds 15550100100).
    const QueueRecord* queue_by_number(const std::string& number) const;
    // An agent's own queue for an outbound call: the first whose skill they have, else the default.
    const QueueRecord* home_queue(const std::string& agent) const;

    // ---- bookkeeping ----
    void declined(const std::string& contact, const std::string& agent) { declined_[contact].insert(agent); }
    void only_declined(const std::string& contact, const std::string& agent) { declined_[contact] = {agent}; }
    void forget_declined(const std::string& contact) { declined_.erase(contact); }
    bool has_declined(const std::string& contact, const std::string& agent) const;
    void busy(const std::string& agent, int64_t now) { last_busy_[agent] = now; }
    // The last time the agent was made busy (0: never, as far as this node knows).
    int64_t last_busy(const std::string& agent) const {
        auto it = last_busy_.find(agent);
        return it == last_busy_.end() ? 0 : it->second;
    }
    // After a contact is stored: a queued contact's wait starts (if it had not), one neither
    // queued nor offered has none, and only a queued chat has a position to be told.
    void saved(const ContactRecord& c, int64_t now);
    void closed(const std::string& contact);
    // A restart: every contact waiting now waits afresh.
    void restart_wait(const std::string& contact, int64_t now) { queued_since_[contact] = now; }
    std::optional<int64_t> queued_since(const std::string& contact) const;

    // ---- routing inputs ----
    // The queued contacts route() offers (`routable`: not a ringing call, which Kamailio routes),
    // in queue order (rank, then arrival), as routing.h wants them.
    template <class Routable>
    std::vector<RoutableContact> queued_in_order(const OpenContacts& open, Routable routable) const {
        std::vector<const ContactRecord*> queued;
        for (const auto& [id, c] : open)
            if (c.state == sb::contact::ContactState::Queued && routable(c)) queued.push_back(&c);
        return routable_contacts(std::move(queued));
    }
    // Agents available and connected, with their skills, capacity, load (open contacts not queued)
    // and idle time. Voice capacity is as configured: the caller zeroes it for agents without a phone.
    std::vector<RoutableAgent> routable_agents(const std::vector<sb::agent::AgentSnapshot>& agents,
                                               const std::set<std::string>& connected, const OpenContacts& open) const;
    // The rank that puts a contact back at the front of its queue.
    int64_t front_rank(const OpenContacts& open, const std::string& queue, int64_t own_rank) const;

    // ---- waiting customers ----
    // Slots of the agents who could take a contact of `channel` in `queue` now.
    int64_t available_slots(const std::string& queue, Channel channel,
                            const std::vector<sb::agent::AgentSnapshot>& agents) const;
    // Where a queued contact stands: position (1 = next) and estimated wait in seconds.
    std::pair<int, int64_t> queue_position(const OpenContacts& open, const ContactRecord& c,
                                           const std::vector<sb::agent::AgentSnapshot>& agents,
                                           int64_t handle_time_estimate_s) const;
    struct Position {
        std::string contact;
        int position = 0;
        int64_t wait_s = 0;
    };
    // The customer was just told this position (in a reply): positions_to_tell() tells a change only.
    void told(const std::string& contact, std::pair<int, int64_t> position) { told_position_[contact] = position; }
    // Every queued chat whose position or estimated wait changed since it was last told (in one
    // pass: each queue sorted once, its slots counted once); recorded as told. ContactService asks
    // once a tick at most, when something changed.
    std::vector<Position> positions_to_tell(const OpenContacts& open, const std::vector<sb::agent::AgentSnapshot>& agents,
                                            int64_t handle_time_estimate_s);

private:
    std::vector<RoutableContact> routable_contacts(std::vector<const ContactRecord*> queued) const;

    std::vector<QueueRecord> queues_;
    std::map<std::string, AgentRouting> routing_;            // skills and capacity per agent
    std::map<std::string, std::set<std::string>> declined_;  // contact -> agents who declined it
    std::map<std::string, int64_t> last_busy_;               // agent -> last offer or release
    std::map<std::string, std::pair<int, int64_t>> told_position_;  // contact -> last position sent
    std::map<std::string, int64_t> queued_since_;            // contact -> entered its queue
};

}  // namespace sbd
