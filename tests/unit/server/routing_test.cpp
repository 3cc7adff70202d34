// The ACD's decision (server/contacts/routing.h) as a pure function: skills, capacity per channel,
// longest idle, FIFO, agents who declined coming last, transfers to a named agent.
#include <doctest/doctest.h>

#include "server/contacts/routing.h"

using namespace sbd;

namespace {
RoutableAgent agent(const std::string& name, std::set<std::string> skills, int64_t idle_since,
                    std::map<Channel, int> load = {}) {
    return RoutableAgent{name, std::move(skills), {{Channel::Voice, 1}, {Channel::Chat, 3}, {Channel::Sms, 3}}, std::move(load), idle_since};
}
RoutableContact chat(const std::string& id, const std::string& skill = "support") {
    return RoutableContact{id, Channel::Chat, skill, std::nullopt, {}};
}
}  // namespace

TEST_CASE("the longest idle agent with the skill gets the oldest contact") {
    auto offers = plan_offers({chat("c1")}, {agent("alice", {"support"}, 300), agent("bob", {"support"}, 100),
                                             agent("carol", {"sales"}, 50)}, 1000);
    REQUIRE(offers.size() == 1);
    CHECK(offers[0].contact == "c1");
    CHECK(offers[0].agent == "bob");  // idle since 100; carol is idler but lacks the skill
}

TEST_CASE("contacts go out in queue order and spread across agents") {
    auto offers = plan_offers({chat("c1"), chat("c2"), chat("c3")},
                              {agent("alice", {"support"}, 200), agent("bob", {"support"}, 100)}, 1000);
    REQUIRE(offers.size() == 3);
    CHECK(offers[0].contact == "c1");
    CHECK(offers[0].agent == "bob");
    CHECK(offers[1].contact == "c2");
    CHECK(offers[1].agent == "alice");  // bob just got one: now he is the less idle
    CHECK(offers[2].contact == "c3");
}

TEST_CASE("capacity per channel is respected; nobody able means the contact waits") {
    auto full = agent("alice", {"support"}, 100, {{Channel::Chat, 3}});
    CHECK(plan_offers({chat("c1")}, {full}, 1000).empty());
    auto two = agent("alice", {"support"}, 100, {{Channel::Chat, 2}});
    auto offers = plan_offers({chat("c1"), chat("c2")}, {two}, 1000);
    REQUIRE(offers.size() == 1);  // one slot left
    CHECK(offers[0].contact == "c1");
    // A full chat capacity does not block SMS.
    auto sms = RoutableContact{"s1", Channel::Sms, "support", std::nullopt, {}};
    CHECK(plan_offers({sms}, {full}, 1000).size() == 1);
    // Voice capacity is 1.
    auto on_call = agent("alice", {"support"}, 100, {{Channel::Voice, 1}});
    CHECK(plan_offers({RoutableContact{"v1", Channel::Voice, "support", std::nullopt, {}}}, {on_call}, 1000).empty());
}

TEST_CASE("agents who declined a contact come last, but still get it if nobody else can") {
    auto c = chat("c1");
    c.declined = {"bob"};
    auto offers = plan_offers({c}, {agent("alice", {"support"}, 500), agent("bob", {"support"}, 100)}, 1000);
    REQUIRE(offers.size() == 1);
    CHECK(offers[0].agent == "alice");
    auto only_bob = plan_offers({c}, {agent("bob", {"support"}, 100)}, 1000);
    REQUIRE(only_bob.size() == 1);
    CHECK(only_bob[0].agent == "bob");
}

TEST_CASE("a contact transferred to a named agent waits for that agent, skill or not") {
    auto c = chat("c1", "sales");
    c.target_agent = "bob";
    auto offers = plan_offers({c}, {agent("alice", {"sales"}, 10), agent("bob", {"support"}, 900)}, 1000);
    REQUIRE(offers.size() == 1);
    CHECK(offers[0].agent == "bob");
    CHECK(plan_offers({c}, {agent("alice", {"sales"}, 10)}, 1000).empty());  // bob is not there: it waits
}

TEST_CASE("a later contact can go out when an earlier one has nobody to take it") {
    auto offers = plan_offers({chat("c1", "sales"), chat("c2", "support")}, {agent("bob", {"support"}, 100)}, 1000);
    REQUIRE(offers.size() == 1);
    CHECK(offers[0].contact == "c2");
}
