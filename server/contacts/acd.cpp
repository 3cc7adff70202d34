// acd.cpp: the ACD's memory and its questions about queues (see acd.h).
#include "server/contacts/acd.h"

#include <algorithm>

namespace sbd {

using sb::contact::ContactState;

namespace {

std::string acd_digits(const std::string& s) {
    std::string out;
    for (char ch : s)
        if (ch >= '0' && ch <= '9') out += ch;
    return out;
}

// Queue order: rank (FIFO by arrival; a declined contact goes back with a smaller rank), then arrival.
bool acd_before(const ContactRecord* a, const ContactRecord* b) {
    return a->rank != b->rank ? a->rank < b->rank : a->created_at < b->created_at;
}

}  // namespace

// ---- queues -------------------------------------------------------------------------------------
void Acd::load(std::vector<QueueRecord> queues, std::map<std::string, AgentRouting> routing) {
    queues_ = std::move(queues);
    routing_ = std::move(routing);
}

const QueueRecord* Acd::find_queue(const std::string& code) const {
    for (const QueueRecord& q : queues_)
        if (q.code == code) return &q;
    return nullptr;
}

const QueueRecord* Acd::default_queue() const {
    for (const QueueRecord& q : queues_)
        if (q.is_default) return &q;
    return queues_.empty() ? nullptr : &queues_.front();
}

const QueueRecord* Acd::queue_by_number(const std::string& number) const {
    const std::string wanted = acd_digits(number);
    if (wanted.empty()) return nullptr;
    const QueueRecord* found = nullptr;
    for (const QueueRecord& q : queues_)
        if (q.number && acd_digits(*q.number) == wanted) found = &q;  // (the last, as always)
    return found;
}

const QueueRecord* Acd::home_queue(const std::string& agent) const {
    if (auto r = routing_.find(agent); r != routing_.end())
        for (const QueueRecord& q : queues_)
            if (r->second.skills.count(q.skill)) return &q;
    return default_queue();
}

// ---- bookkeeping --------------------------------------------------------------------------------
bool Acd::has_declined(const std::string& contact, const std::string& agent) const {
    auto it = declined_.find(contact);
    return it != declined_.end() && it->second.count(agent);
}

void Acd::saved(const ContactRecord& c, int64_t now) {
    if (c.state != ContactState::Queued) told_position_.erase(c.id);
    if (c.state == ContactState::Queued) queued_since_.try_emplace(c.id, now);
    else if (c.state != ContactState::Offered) queued_since_.erase(c.id);
}

void Acd::closed(const std::string& contact) {
    queued_since_.erase(contact);
    declined_.erase(contact);
    told_position_.erase(contact);
}

std::optional<int64_t> Acd::queued_since(const std::string& contact) const {
    auto it = queued_since_.find(contact);
    if (it == queued_since_.end()) return std::nullopt;
    return it->second;
}

// ---- routing inputs -----------------------------------------------------------------------------
std::vector<RoutableContact> Acd::routable_contacts(std::vector<const ContactRecord*> queued) const {
    std::stable_sort(queued.begin(), queued.end(), acd_before);
    std::vector<RoutableContact> out;
    for (const ContactRecord* c : queued) {
        const QueueRecord* q = find_queue(c->queue);
        RoutableContact rc{c->id, c->channel, q ? q->skill : c->queue, c->target_agent, {}};
        if (auto it = declined_.find(c->id); it != declined_.end()) rc.declined = it->second;
        out.push_back(std::move(rc));
    }
    return out;
}

std::vector<RoutableAgent> Acd::routable_agents(const std::vector<sb::agent::AgentSnapshot>& agents,
                                                const std::set<std::string>& connected,
                                                const OpenContacts& open) const {
    std::vector<RoutableAgent> out;
    for (const auto& a : agents) {
        if (a.state != sb::agent::Presence::Available || !connected.count(a.username)) continue;
        RoutableAgent ra;
        ra.username = a.username;
        if (auto it = routing_.find(a.username); it != routing_.end()) {
            ra.skills = it->second.skills;
            ra.capacity = it->second.capacity;
        }
        auto busy = last_busy_.find(a.username);
        ra.idle_since = std::max(a.state_since_ms, busy != last_busy_.end() ? busy->second : 0);
        out.push_back(std::move(ra));
    }
    if (out.empty()) return out;  // nobody to route to: the contacts need not be counted
    // Load once per pass, not once per agent: with thousands of agents, asking about each one
    // for each of them made routing quadratic.
    std::map<std::string, std::map<Channel, int>> load;
    for (const auto& [id, c] : open)
        if (c.agent && c.state != ContactState::Queued) load[*c.agent][c.channel]++;
    for (RoutableAgent& ra : out)
        if (auto l = load.find(ra.username); l != load.end()) ra.load = l->second;
    return out;
}

int64_t Acd::front_rank(const OpenContacts& open, const std::string& queue, int64_t own_rank) const {
    int64_t front = own_rank;
    for (const auto& [id, c] : open)
        if (c.state == ContactState::Queued && c.queue == queue) front = std::min(front, c.rank - 1);
    return front;
}

// ---- waiting customers --------------------------------------------------------------------------
int64_t Acd::available_slots(const std::string& queue, Channel channel,
                             const std::vector<sb::agent::AgentSnapshot>& agents) const {
    const QueueRecord* q = find_queue(queue);
    if (!q) return 0;
    int64_t slots = 0;
    for (const auto& a : agents) {
        if (a.state != sb::agent::Presence::Available) continue;
        auto it = routing_.find(a.username);
        if (it == routing_.end() || !it->second.skills.count(q->skill)) continue;
        auto cap = it->second.capacity.find(channel);
        if (cap != it->second.capacity.end()) slots += cap->second;
    }
    return slots;
}

std::pair<int, int64_t> Acd::queue_position(const OpenContacts& open, const ContactRecord& c,
                                            const std::vector<sb::agent::AgentSnapshot>& agents,
                                            int64_t handle_time_estimate_s) const {
    int position = 1;
    for (const auto& [id, other] : open)
        if (other.state == ContactState::Queued && other.queue == c.queue && id != c.id && acd_before(&other, &c))
            ++position;
    const int64_t slots = available_slots(c.queue, c.channel, agents);
    return {position, position * handle_time_estimate_s / std::max<int64_t>(1, slots)};
}

std::vector<Acd::Position> Acd::positions_to_tell(const OpenContacts& open,
                                                  const std::vector<sb::agent::AgentSnapshot>& agents,
                                                  int64_t handle_time_estimate_s) {
    std::map<std::string, std::vector<const ContactRecord*>> by_queue;
    for (const auto& [id, c] : open)
        if (c.state == ContactState::Queued) by_queue[c.queue].push_back(&c);
    std::vector<Position> out;
    for (auto& [queue, list] : by_queue) {
        std::stable_sort(list.begin(), list.end(), acd_before);
        const int64_t slots = available_slots(queue, Channel::Chat, agents);
        for (std::size_t i = 0; i < list.size(); ++i) {
            const ContactRecord& c = *list[i];
            if (c.channel != Channel::Chat) continue;
            const int position = static_cast<int>(i) + 1;
            const std::pair<int, int64_t> pos{position, position * handle_time_estimate_s / std::max<int64_t>(1, slots)};
            auto told = told_position_.find(c.id);
            if (told != told_position_.end() && told->second == pos) continue;
            told_position_[c.id] = pos;
            out.push_back({c.id, pos.first, pos.second});
        }
    }
    return out;
}

}  // namespace sbd
