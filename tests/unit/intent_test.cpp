// The JS API's intents and state snapshot (docs/js-api.md).
#include "desk_harness.h"
#include "desk/state_json.h"

using namespace sb::test;

TEST_CASE("intents from JSON") {
    auto login = intent_from_json(json::parse(R"({"type":"login","username":"a","password":"b"})"));
    REQUIRE(login);
    CHECK(std::get<LoginIntent>(login.value()).username == "a");
    auto nr = intent_from_json(json::parse(R"({"type":"set_state","state":"not_ready","reason":"lunch"})"));
    REQUIRE(nr);
    CHECK(std::get<SetStateIntent>(nr.value()).reason == "lunch");
    auto av = intent_from_json(json::parse(R"({"type":"set_state","state":"available","reason":null})"));
    REQUIRE(av);
    CHECK_FALSE(std::get<SetStateIntent>(av.value()).reason);
    CHECK(intent_from_json(json::parse(R"({"type":"logout"})")));

    CHECK(intent_from_json(json()).error().code == "bad_intent");
    CHECK(intent_from_json(json::array()).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":7})")).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"dance"})")).error().code == "unknown_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"login","username":"a"})")).error().code == "bad_intent");
    CHECK(intent_from_json(json::parse(R"({"type":"set_state","state":"busy"})")).error().code == "invalid_state");
    CHECK(intent_from_json(json::parse(R"({"type":"set_state","state":"not_ready","reason":4})")).error().code == "bad_intent");
}

TEST_CASE("state snapshot for the JS API") {
    DeskHarness h;
    json s0 = state_to_json(h.s(), h.now);
    CHECK(s0["connection"]["state"] == "disconnected");
    CHECK(s0["agent"].is_null());
    CHECK(s0["contacts"] == json::array());

    h.login();
    h.intent(SetStateIntent{sb::agent::Presence::NotReady, std::string("break")});
    json s = state_to_json(h.s(), h.now);
    CHECK(s["connection"]["state"] == "connected");
    CHECK(s["session"]["state"] == "logged_in");
    CHECK(s["agent"]["username"] == "alice");
    CHECK(s["agent"]["state"] == "offline");
    CHECK(s["agent"]["activity"] == "idle");
    CHECK(s["agent"]["pending"]["state"] == "not_ready");
    CHECK(s["agent"]["state_elapsed_ms"].get<int64_t>() > 0);
    CHECK(s["reason_codes"].size() == 2);
    CHECK(s["last_seq"] == 3);
}
