// contact_nodes.cpp: ContactService among several nodes on one PostgreSQL (see contact_service.h,
// "other nodes", and docs/architecture.md, "Several nodes"): the node's beat and its agents'
// links, which node routes a waiting contact, and what the change feed brings.
#include <algorithm>
#include <iterator>

#include "server/contacts/contact_service.h"

namespace sbd {

using sb::Ok;
using sb::Status;

// ---- links and liveness ---------------------------------------------------------------------------
void ContactService::link_here(const std::string& agent, bool linked) {
    if (linked_here_.count(agent) == static_cast<std::size_t>(linked)) return;
    const std::string& node = d_.store.database().node();
    if (auto st = d_.store.link_agent(agent, node, linked); !st) {
        d_.log.error("agent's node not recorded", {{"username", agent}, {"error", st.error().message}});
        return;
    }
    if (linked) linked_here_.insert(agent), links_[agent].insert(node);
    else linked_here_.erase(agent), links_[agent].erase(node);
}

void ContactService::beat() {
    const int64_t now = d_.now();
    const std::string& node = d_.store.database().node();
    if (auto st = d_.store.node_seen(node, now); !st) {
        d_.log.limited(LogLevel::Error, "cannot tell the other nodes this one is alive", {{"error", st.error().message}});
        return;
    }
    if (agents_) {
        std::set<std::string> here = agents_->connected_agents();
        std::vector<std::string> gone;
        for (const std::string& a : linked_here_)
            if (!here.count(a)) gone.push_back(a);
        for (const std::string& a : gone) link_here(a, false);
        for (const std::string& a : here) link_here(a, true);
    }
    if (beats_++ % 60 == 0) {
        if (auto st = d_.store.forget_nodes(now - Store::kNodeForgottenMs); !st)
            d_.log.error("cannot forget the nodes long gone", {{"error", st.error().message}});
        if (auto st = d_.contacts.forget_call_ids(now - kCallIdKeptMs); !st)
            d_.log.error("cannot forget old calls' Call-IDs", {{"error", st.error().message}});
    }
    if (read_live_nodes()) route();  // agents of a node that came or went are routed to or no longer
}

bool ContactService::routes_here(const std::string& contact) const {
    // Each waiting contact is routed by one live node, the same one whichever node asks (the
    // live nodes in order, by a hash of the contact's id): without it every node would try every
    // offer and all but one would fail, doing the work twice for nothing. A node that goes
    // leaves its contacts to the others once it is not seen (Store::kNodeLostMs); while two
    // nodes disagree on who is alive, both may try, and the store takes one offer.
    const std::string& self = d_.store.database().node();
    if (live_nodes_.size() < 2 || !live_nodes_.count(self)) return true;
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char ch : contact) h = (h ^ ch) * 1099511628211ull;
    auto it = live_nodes_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(h % live_nodes_.size()));
    return *it == self;
}

bool ContactService::shares_store() const { return d_.store.database().dialect() == Dialect::Postgres; }

bool ContactService::read_live_nodes() {
    // On SQLite this node is the only one: a node whose row is still fresh is this server's own
    // past life (killed and started again at once), and waiting for it to age would hold its
    // share of the queue for Store::kNodeLostMs.
    if (!shares_store()) {
        std::set<std::string> self{d_.store.database().node()};
        if (self == live_nodes_) return false;
        live_nodes_ = std::move(self);
        return true;
    }
    auto live = d_.store.live_nodes(d_.now() - Store::kNodeLostMs);
    if (!live) {
        d_.log.limited(LogLevel::Error, "cannot read which nodes are alive", {{"error", live.error().message}});
        return false;
    }
    if (live.value() == live_nodes_) return false;
    for (const std::string& n : live_nodes_)
        if (!live.value().count(n)) d_.log.info("node gone", {{"node", n}});
    live_nodes_ = std::move(live.value());
    return true;
}

void ContactService::leave() {
    if (auto st = d_.store.forget_node(d_.store.database().node()); !st)
        d_.log.error("cannot take this node out of the store", {{"error", st.error().message}});
    linked_here_.clear();
}

std::set<std::string> ContactService::connected_anywhere() {
    std::set<std::string> out = agents_->connected_agents();
    if (!shares_store()) return out;  // (links to another node are a past life's: read_live_nodes)
    const std::string& self = d_.store.database().node();
    for (const auto& [agent, nodes] : links_) {
        if (!available_.count(agent)) continue;  // (only an available agent is routed to)
        for (const std::string& n : nodes)
            if (n != self && live_nodes_.count(n)) {
                out.insert(agent);
                break;
            }
    }
    return out;
}

// ---- other nodes ----------------------------------------------------------------------------------
void ContactService::heard(const std::vector<Change>& changes, bool resync_first) {
    if (resync_first)
        if (auto st = resync(); !st) d_.log.error("cannot read contacts again", {{"error", st.error().message}});
    std::set<std::pair<std::string, std::string>> seen;
    for (const Change& c : changes) {
        if (c.channel == feed::typing) {  // (each in order: on, off and on again is on)
            typing_elsewhere(c.key);
            continue;
        }
        if (!seen.insert({c.channel, c.key}).second) continue;
        if (c.channel == feed::contacts) changed_elsewhere(c.key);
        else if (c.channel == feed::agents) presence_elsewhere(c.key);
        else if (c.channel == feed::messages) message_elsewhere(c.key);
    }
}

void ContactService::changed_elsewhere(const std::string& id) {
    auto row = d_.contacts.find_contact(id);
    if (!row) {
        d_.log.error("changed contact not read", {{"contact", id}, {"error", row.error().message}});
        return;
    }
    auto copy = open_.find(id);
    if (copy != open_.end() && row.value() && copy->second.version >= row.value()->version) return;  // (as new)
    std::optional<ContactRecord> before;
    if (copy != open_.end()) before = copy->second;
    if (row.value()) tell_chat_customer(before, *row.value());
    acd_heard(before, row.value());
    const bool open = take_row(id, row.value());
    if (row.value()) for (auto& hook : change_hooks_) hook(*row.value(), false);
    positions_due_ = positions_due_ || !open;
    // A contact waiting anywhere may go to an agent of this node; a change in an agent's load
    // changes who can take what.
    if (open) route(open_.at(id).state == ContactState::Queued);
}

bool ContactService::take_row(const std::string& id, const std::optional<ContactRecord>& row) {
    if (!row || row->state == ContactState::Closed) {
        if (open_.count(id)) forget_open(id);
        return false;
    }
    open_[id] = *row;
    acd_.saved(*row, d_.now());
    return true;
}

void ContactService::acd_heard(const std::optional<ContactRecord>& before, const std::optional<ContactRecord>& now) {
    const int64_t t = d_.now();
    const bool offered_now = now && now->state == ContactState::Offered && now->agent &&
                             !(before && before->state == ContactState::Offered && before->agent == now->agent);
    if (offered_now) acd_.busy(*now->agent, t);
    if (!before || !before->agent || before->state == ContactState::Queued) return;
    const bool left = !now || now->state == ContactState::Closed || now->state == ContactState::Queued ||
                      now->agent != before->agent;
    if (!left) return;
    acd_.busy(*before->agent, t);
    if (now && now->state == ContactState::Queued) {
        if (before->state == ContactState::Offered) acd_.declined(now->id, *before->agent);
        else acd_.only_declined(now->id, *before->agent);  // transferred away: not back to them
    }
}

void ContactService::tell_chat_customer(const std::optional<ContactRecord>& before, const ContactRecord& now) {
    // Only a chat's customer is on a connection (of one node: ChatService sends only to its own);
    // an SMS or a call was sent out by the node that made the change.
    if (now.channel != Channel::Chat || !chat_) return;
    const bool was_active = before && before->state == ContactState::Active;
    if (now.state == ContactState::Active && !was_active && now.agent)
        chat_->agent_joined(now, agent_display_name(*now.agent));
    const bool ended = now.ended_at && !(before && before->ended_at);
    if (ended && now.ended_by != Sender::Customer) chat_->ended(now, now.ended_by.value_or(Sender::System));
}

void ContactService::message_elsewhere(const std::string& id) {
    auto m = d_.contacts.find_message(id);
    if (!m || !m.value()) return;
    if (m.value()->from == Sender::Customer) {  // (the customer's own: sent to them by the node they are on)
        customer_typing_.erase(m.value()->contact);  // (a message ends their typing, as there)
        return;
    }
    if (!chat_) return;
    const MessageRecord& message = *m.value();
    std::optional<ContactRecord> contact;
    if (const ContactRecord* open = find_open(message.contact)) contact = *open;
    else if (auto stored = d_.contacts.find_contact(message.contact); stored && stored.value()) contact = *stored.value();
    if (!contact || contact->channel != Channel::Chat) return;
    chat_->agent_message(*contact, message, message.agent ? agent_display_name(*message.agent) : "");
}

void ContactService::announce_typing(Sender who, const std::string& contact, bool typing) {
    const std::string key = std::string(who == Sender::Agent ? "a:" : "c:") + (typing ? "1:" : "0:") + contact;
    if (auto st = d_.store.database().announce(feed::typing, key); !st)
        d_.log.limited(LogLevel::Warn, "typing not told to the other nodes", {{"error", st.error().message}});
}

void ContactService::typing_elsewhere(const std::string& key) {
    // Another node's agent or customer started or stopped typing. The agent's desk was sent the
    // customer's as an event (its log); the customer's page here is sent the agent's.
    if (key.size() < 5 || (key[0] != 'a' && key[0] != 'c') || key[1] != ':' || (key[2] != '0' && key[2] != '1') ||
        key[3] != ':')
        return;
    const bool typing = key[2] == '1';
    const std::string contact = key.substr(4);
    const ContactRecord* c = find_open(contact);
    if (!c) return;
    if (key[0] == 'c') {
        if (typing) customer_typing_.insert(contact);
        else customer_typing_.erase(contact);
    } else if (c->channel == Channel::Chat && chat_ && c->state == ContactState::Active) {
        chat_->agent_typing(*c, typing);
    }
}

void ContactService::presence_elsewhere(const std::string& agent) {
    // (its offers were returned by the node where the change was made)
    if (reread_presence(agent)) route();
}

sb::Status ContactService::read_available() {
    auto agents = d_.store.list_agents();
    if (!agents) return agents.error();
    auto links = d_.store.agent_links();
    if (!links) return links.error();
    available_.clear();
    for (sb::agent::AgentSnapshot& a : agents.value())
        if (a.state == sb::agent::Presence::Available) available_[a.username] = std::move(a);
    links_.clear();
    for (auto& [agent, node] : links.value()) links_[agent].insert(std::move(node));
    return Ok{};
}

sb::Status ContactService::resync() {
    auto open = d_.contacts.open_contacts();
    if (!open) return open.error();
    if (auto st = read_available(); !st) return st;
    std::set<std::string> still_open;
    for (ContactRecord& c : open.value()) {
        still_open.insert(c.id);
        auto copy = open_.find(c.id);
        if (copy != open_.end() && copy->second.version >= c.version) continue;
        take_row(c.id, c);
    }
    std::vector<std::string> gone;
    for (const auto& [id, c] : open_)
        if (!still_open.count(id)) gone.push_back(id);
    for (const std::string& id : gone) forget_open(id);
    d_.log.info("contacts read again", {{"open", open_.size()}, {"let_go", gone.size()}});
    route();
    return Ok{};
}

}  // namespace sbd
