// routing.h: the ACD's decision, as a pure function: which queued contact is offered to which
// agent now. No clock, no store: ContactService gathers the inputs and carries out the offers.
//
// Rules (docs/protocol.md, "Contacts: chat, SMS and voice"; docs/chat-protocol.md):
// - contacts are taken oldest rank first (FIFO per queue; a rejected or missed contact goes back
//   to the front with a smaller rank);
// - an agent is eligible when available, connected, holding the queue's skill, and under their
//   capacity for the contact's channel (load = contacts offered, active or in wrap-up);
// - among eligible agents the longest idle wins (idle since: the later of becoming available,
//   the last offer and the last contact leaving them); agents who already declined this contact
//   come last;
// - a contact transferred to a named agent waits for that agent only (skill not required).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "contact/lifecycle.h"

namespace sbd {

using sb::contact::Channel;

struct RoutableContact {
    std::string id;
    Channel channel = Channel::Chat;
    std::string skill;                         // of its queue
    std::optional<std::string> target_agent;   // transfer to a named agent
    std::set<std::string> declined;            // agents who rejected or missed it
};

struct RoutableAgent {
    std::string username;
    std::set<std::string> skills;
    std::map<Channel, int> capacity;  // max at once
    std::map<Channel, int> load;      // offered + active + wrap_up
    int64_t idle_since = 0;
};

struct PlannedOffer {
    std::string contact;
    std::string agent;
};

// `queued` in queue order (rank); `agents` only those available and connected. `now` becomes
// the idle_since of an agent who gets an offer, so the next goes to someone else first.
std::vector<PlannedOffer> plan_offers(const std::vector<RoutableContact>& queued, std::vector<RoutableAgent> agents,
                                      int64_t now);

}  // namespace sbd
