// The ACD's memory and its questions about queues (server/contacts/acd.h), without a store: queues
// by number and by agent, the routing pass's inputs (queue order, who declined, load, idle time),
// waits that a declined offer does not restart, and customers told their place only when it moves.
#include <doctest/doctest.h>

#include "server/contacts/acd.h"

using namespace sbd;
using sb::agent::AgentSnapshot;
using sb::agent::Presence;
using sb::contact::ContactState;

namespace {

Acd demo_acd() {
    Acd acd;
    std::vector<QueueRecord> queues = {
        {"support", "Customer support", "+1 555 010 0100", "support", true, {}},
        {"sales", "Sales", "+15550100200", "sales", false, {}},
    };
    std::map<std::string, AgentRouting> routing = {
        {"alice", {{"support"}, {{Channel::Chat, 2}, {Channel::Voice, 1}}}},
        {"bob", {{"sales"}, {{Channel::Chat, 3}}}},
    };
    acd.load(std::move(queues), std::move(routing));
    return acd;
}

ContactRecord contact(const std::string& id, ContactState state, int64_t rank, const std::string& queue = "support",
                      Channel channel = Channel::Chat) {
    ContactRecord c;
    c.id = id;
    c.state = state;
    c.rank = rank;
    c.created_at = rank;
    c.queue = queue;
    c.channel = channel;
    return c;
}

AgentSnapshot available(const std::string& name, int64_t since = 0) {
    return AgentSnapshot{name, name, Presence::Available, "", since};
}

}  // namespace

TEST_CASE("acd: a queue is found by its number in any spelling, an agent's own queue by their skills") {
    Acd acd = demo_acd();
    CHECK(acd.queue_by_number("15550100100")->code == "support");
    CHECK(acd.queue_by_number("+1 (555) 010-0200")->code == "sales");
    CHECK(acd.queue_by_number("+1 555 010 0999") == nullptr);
    CHECK(acd.queue_by_number("not a number") == nullptr);
    CHECK(acd.home_queue("bob")->code == "sales");
    CHECK(acd.home_queue("nobody")->code == "support");  // the default
    CHECK(acd.default_queue()->code == "support");
    CHECK(acd.find_queue("sales")->name == "Sales");
    CHECK(acd.find_queue("billing") == nullptr);
}

TEST_CASE("acd: a pass sees queued contacts in queue order, with who declined each") {
    Acd acd = demo_acd();
    Acd::OpenContacts open;
    for (auto c : {contact("c3", ContactState::Queued, 30), contact("c1", ContactState::Queued, 10),
                   contact("c2", ContactState::Offered, 20), contact("c4", ContactState::Queued, 5, "sales")})
        open[c.id] = c;
    acd.declined("c1", "alice");
    auto all = acd.queued_in_order(open, [](const ContactRecord&) { return true; });
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == "c4");
    CHECK(all[0].skill == "sales");
    CHECK(all[1].id == "c1");
    CHECK(all[1].declined == std::set<std::string>{"alice"});
    CHECK(all[2].id == "c3");
    CHECK(all[2].declined.empty());
    auto some = acd.queued_in_order(open, [](const ContactRecord& c) { return c.id != "c4"; });
    CHECK(some.size() == 2);
    CHECK(acd.front_rank(open, "support", 30) == 9);  // in front of c1 (rank 10)
    CHECK(acd.front_rank(open, "sales", 100) == 4);
}

TEST_CASE("acd: routable agents are the available and connected, with their load and idle time") {
    Acd acd = demo_acd();
    Acd::OpenContacts open;
    auto active = contact("c1", ContactState::Active, 1);
    active.agent = "alice";
    open[active.id] = active;
    auto queued = contact("c2", ContactState::Queued, 2);
    queued.agent = "alice";  // the last agent of a contact back in its queue: not their load
    open[queued.id] = queued;
    acd.busy("alice", 500);
    std::vector<AgentSnapshot> agents = {available("alice", 100), available("bob", 700), available("carol"),
                                         AgentSnapshot{"dan", "dan", Presence::NotReady, "break", 0}};
    auto routable = acd.routable_agents(agents, {"alice", "bob", "dan"}, open);
    REQUIRE(routable.size() == 2);  // carol is not connected, dan not available
    CHECK(routable[0].username == "alice");
    CHECK(routable[0].idle_since == 500);  // her last offer, later than becoming available
    CHECK(routable[0].load == std::map<Channel, int>{{Channel::Chat, 1}});
    CHECK(routable[0].skills == std::set<std::string>{"support"});
    CHECK(routable[1].username == "bob");
    CHECK(routable[1].idle_since == 700);
    CHECK(routable[1].load.empty());
}

TEST_CASE("acd: a contact's wait starts when it enters its queue; an offer declined does not restart it") {
    Acd acd = demo_acd();
    auto c = contact("c1", ContactState::Queued, 1);
    acd.saved(c, 1000);
    CHECK(acd.queued_since("c1") == 1000);
    c.state = ContactState::Offered;
    acd.saved(c, 2000);
    c.state = ContactState::Queued;  // missed: back in the queue
    acd.saved(c, 3000);
    CHECK(acd.queued_since("c1") == 1000);
    c.state = ContactState::Offered;
    acd.saved(c, 4000);
    c.state = ContactState::Active;
    acd.saved(c, 5000);
    CHECK_FALSE(acd.queued_since("c1"));
    acd.restart_wait("c1", 6000);
    CHECK(acd.queued_since("c1") == 6000);
    acd.declined("c1", "bob");
    acd.closed("c1");
    CHECK_FALSE(acd.queued_since("c1"));
    CHECK_FALSE(acd.has_declined("c1", "bob"));
}

TEST_CASE("acd: waiting chats are told their place once, and again only when it moves") {
    Acd acd = demo_acd();
    Acd::OpenContacts open;
    for (auto c : {contact("c1", ContactState::Queued, 10), contact("c2", ContactState::Queued, 20),
                   contact("s1", ContactState::Queued, 15, "support", Channel::Sms)})
        open[c.id] = c;
    std::vector<AgentSnapshot> agents = {available("alice")};  // 2 chat slots in support
    auto told = acd.positions_to_tell(open, agents, 90);
    REQUIRE(told.size() == 2);  // chats only: an SMS customer is not told
    CHECK(told[0].contact == "c1");
    CHECK(told[0].position == 1);
    CHECK(told[0].wait_s == 45);
    CHECK(told[1].contact == "c2");
    CHECK(told[1].position == 3);  // behind the SMS, which holds its place
    CHECK(acd.positions_to_tell(open, agents, 90).empty());  // nothing moved
    open.erase("c1");
    acd.closed("c1");
    told = acd.positions_to_tell(open, agents, 90);
    REQUIRE(told.size() == 1);
    CHECK(told[0].contact == "c2");
    CHECK(told[0].position == 2);
    CHECK(acd.queue_position(open, open.at("c2"), agents, 90) == std::pair<int, int64_t>{2, 90});
    CHECK(acd.queue_position(open, open.at("c2"), {}, 90) == std::pair<int, int64_t>{2, 180});  // nobody: one slot's worth
}
