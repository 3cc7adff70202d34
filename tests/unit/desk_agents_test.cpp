// Colleagues on the desk (protocol version 3: the session lists no agents): found by name for a
// transfer or a call (find_agents, the `agents` request), and the names behind the usernames a
// frame brings (transcripts, transfers, history), asked for once.
#include "desk_harness.h"
#include "desk/state_json.h"

using namespace sb::test;

namespace agents_test {

json summary(const std::string& username, const std::string& name, const std::string& state = "available") {
    return {{"username", username}, {"display_name", name}, {"state", state}};
}

json offered_contact(const std::string& id, json transfer, const std::string& history_agent) {
    json customer = {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", nullptr},
                     {"chat_identity", "dana@example.com"}, {"email", "dana@example.com"}, {"notes", ""},
                     {"history", json::array({{{"contact", "old1"}, {"channel", "sms"}, {"at", 1'690'000'000'000},
                                               {"queue", "support"}, {"disposition", "resolved"}, {"notes", ""},
                                               {"agent", history_agent}}})}};
    return {{"id", id}, {"channel", "chat"}, {"state", "offered"}, {"queue", "support"}, {"customer", customer},
            {"message_count", 0}, {"last_message", nullptr}, {"created_at", 1'700'000'000'000},
            {"offer_expires_at", 1'700'000'020'000}, {"accepted_at", nullptr}, {"ended_at", nullptr},
            {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", transfer}, {"customer_typing", false}};
}

}  // namespace agents_test

using namespace agents_test;

TEST_CASE("find_agents: asks the backend by name, shows its answer, and remembers the names") {
    DeskHarness h;
    h.login();
    CHECK(h.s().agents.empty());  // a version 3 session lists nobody
    uint64_t id = h.intent(FindAgentsIntent{"bo"});
    REQUIRE(h.last_sent()["type"] == "agents");
    CHECK(h.last_sent()["query"] == "bo");
    CHECK(agent_search_pending(h.s()));
    CHECK(state_to_json(h.s(), h.now)["agent_search"]["pending"] == true);
    h.reply_ok({{"agents", json::array({summary("bob", "Bob Okafor"), summary("bobby", "Bobby Tables", "offline")})},
                {"more", true}});
    REQUIRE(h.completion(id));
    CHECK(outcome(h, id) == "ok");
    CHECK_FALSE(agent_search_pending(h.s()));
    REQUIRE(h.s().agent_search.found.size() == 2);
    CHECK(h.s().agent_search.answered == "bo");
    CHECK(h.s().agent_search.more);
    CHECK(h.s().agent_search.found[1].state == agent::Presence::Offline);
    json js = state_to_json(h.s(), h.now)["agent_search"];
    CHECK(js["found"][0]["display_name"] == "Bob Okafor");
    CHECK(js["more"] == true);
    // Their names stay known for the views.
    REQUIRE(h.s().agents.size() == 2);
    CHECK(h.s().agents[0].display_name == "Bob Okafor");
    // The whole list: no query in the request.
    h.intent(FindAgentsIntent{""});
    CHECK_FALSE(h.last_sent().contains("query"));
}

TEST_CASE("find_agents: an answer to an older query is not shown over the newer one's") {
    DeskHarness h;
    h.login();
    h.intent(FindAgentsIntent{"b"});
    json first = h.last_sent();
    h.intent(FindAgentsIntent{"bo"});
    json second = h.last_sent();
    h.reply_to(second, {{"agents", json::array({summary("bob", "Bob Okafor")})}, {"more", false}});
    h.reply_to(first, {{"agents", json::array({summary("bob", "Bob Okafor"), summary("barb", "Barb Lee")})},
                       {"more", false}});
    CHECK(h.s().agent_search.query == "bo");
    CHECK(h.s().agent_search.answered == "bo");
    REQUIRE(h.s().agent_search.found.size() == 1);
    CHECK(h.s().agent_search.found[0].username == "bob");
    CHECK(h.s().agents.size() == 2);  // both answers' names are remembered all the same
}

TEST_CASE("find_agents: refused when signed out, disconnected, or too long; an error answer ends the wait") {
    DeskHarness h;
    h.connect();
    uint64_t out = h.intent(FindAgentsIntent{"bo"});
    CHECK(outcome(h, out) == "not_logged_in");
    h.intent(LoginIntent{"alice", "switchboard"});
    h.reply_ok(DeskHarness::session());
    uint64_t long_one = h.intent(FindAgentsIntent{std::string(65, 'x')});
    CHECK(outcome(h, long_one) == "bad_intent");
    uint64_t fine = h.intent(FindAgentsIntent{std::string(64, 'x')});
    CHECK_FALSE(h.completion(fine));  // sent, waiting
    h.reply_error("bad_message");
    CHECK(outcome(h, fine) == "bad_message");
    CHECK_FALSE(agent_search_pending(h.s()));
    CHECK(h.s().agent_search.answered == std::string(64, 'x'));  // the views stop waiting: nobody found
    CHECK(h.s().agent_search.found.empty());
    h.step(TransportClosed{"gone"});
    uint64_t offline = h.intent(FindAgentsIntent{"bo"});
    CHECK(outcome(h, offline) == "not_connected");
}

TEST_CASE("the names behind the usernames a frame brings are asked for once, then shown") {
    DeskHarness h;
    h.login();
    // An offer transferred by bob, to a customer carol served before, and alice's own name.
    h.event(4, "contact.offered", offered_contact("c1", {{"from", "bob"}, {"note", "refund"}}, "carol"));
    auto asked = h.unanswered("agents");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["usernames"] == json::array({"bob", "carol"}));
    CHECK_FALSE(asked[0].contains("query"));
    h.reply_to(asked[0], {{"agents", json::array({summary("bob", "Bob Okafor"), summary("carol", "Carol Nguyen")})},
                          {"more", false}});
    CHECK(h.s().agents.size() == 2);
    // The same usernames again: nothing more to ask. A new one: only it.
    h.event(5, "contact.updated", offered_contact("c1", {{"from", "bob"}, {"note", "refund"}}, "carol"));
    CHECK(h.unanswered("agents").empty());
    h.event(6, "contact.offered", offered_contact("c2", nullptr, "dave"));
    asked = h.unanswered("agents");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["usernames"] == json::array({"dave"}));
    // An unknown username (a deleted agent) is not asked for again.
    h.reply_to(asked[0], {{"agents", json::array()}, {"more", false}});
    h.event(7, "contact.updated", offered_contact("c2", nullptr, "dave"));
    CHECK(h.unanswered("agents").empty());
    // The agent's own username is never asked for.
    h.event(8, "contact.offered", offered_contact("c3", nullptr, "alice"));
    CHECK(h.unanswered("agents").empty());
}

TEST_CASE("find_agents in the JS API's form, and back") {
    auto in = intent_from_json(json::parse(R"({"type":"find_agents","query":"bo"})"));
    REQUIRE(in.ok());
    REQUIRE(std::holds_alternative<FindAgentsIntent>(in.value()));
    CHECK(std::get<FindAgentsIntent>(in.value()).query == "bo");
    CHECK(intent_to_json(in.value()) == json::parse(R"({"type":"find_agents","query":"bo"})"));
    auto all = intent_from_json(json::parse(R"({"type":"find_agents"})"));
    REQUIRE(all.ok());
    CHECK(std::get<FindAgentsIntent>(all.value()).query.empty());
    CHECK(intent_to_json(all.value()) == json::parse(R"({"type":"find_agents"})"));
    CHECK_FALSE(intent_from_json(json::parse(R"({"type":"find_agents","query":7})")).ok());
    CHECK_FALSE(intent_from_json(json::parse(R"({"type":"find_agents","query":")" + std::string(65, 'x') + "\"}")).ok());
}
