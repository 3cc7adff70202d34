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

TEST_CASE("call intents from JSON: dial, answer, hangup, hold, resume, mute, dtmf, voice transfer") {
    auto dial = intent_from_json({{"type", "dial"}, {"number", "+1 555 0100"}, {"queue", "sales"}});
    REQUIRE(dial.ok());
    CHECK(std::get<DialIntent>(dial.value()).number == "+1 555 0100");
    CHECK(std::get<DialIntent>(dial.value()).queue == "sales");
    CHECK(intent_from_json({{"type", "dial"}}).error().code == "bad_intent");  // a number or a callback
    CHECK(intent_from_json({{"type", "dial"}, {"number", "1"}, {"contact", "c"}}).error().code == "bad_intent");

    auto answer = intent_from_json({{"type", "answer"}, {"contact", "c1"}});
    REQUIRE(answer.ok());
    CHECK(std::get<AnswerIntent>(answer.value()).ref.contact == "c1");
    auto by_call = intent_from_json({{"type", "hangup"}, {"call", 3}});
    REQUIRE(by_call.ok());
    CHECK(std::get<HangupIntent>(by_call.value()).ref.call == 3);
    CHECK(intent_from_json({{"type", "hangup"}}).error().code == "bad_intent");
    CHECK(intent_from_json({{"type", "hangup"}, {"call", -1}}).error().code == "bad_intent");
    CHECK(intent_from_json({{"type", "hangup"}, {"call", "3"}}).error().code == "bad_intent");

    CHECK(std::get<HoldIntent>(intent_from_json({{"type", "hold"}, {"contact", "c"}}).value()).on);
    CHECK_FALSE(std::get<HoldIntent>(intent_from_json({{"type", "resume"}, {"contact", "c"}}).value()).on);
    CHECK(std::get<MuteIntent>(intent_from_json({{"type", "mute"}, {"contact", "c"}, {"on", true}}).value()).on);
    CHECK(intent_from_json({{"type", "mute"}, {"contact", "c"}}).error().code == "bad_intent");
    CHECK(std::get<DtmfIntent>(intent_from_json({{"type", "dtmf"}, {"contact", "c"}, {"digits", "12#"}}).value()).digits == "12#");
    CHECK(intent_from_json({{"type", "dtmf"}, {"contact", "c"}}).error().code == "bad_intent");

    auto t = intent_from_json({{"type", "transfer"}, {"contact", "c"}, {"target", "7002"}, {"mode", "blind"}});
    REQUIRE(t.ok());
    CHECK(std::get<TransferIntent>(t.value()).target == "7002");
    CHECK(intent_from_json({{"type", "transfer"}, {"contact", "c"}, {"target", "7002"}, {"mode", "warm"}}).error().code ==
          "bad_intent");
}

TEST_CASE("device intents from JSON: set_device, refresh_devices, test_ringer") {
    auto set = intent_from_json({{"type", "set_device"}, {"kind", "input"}, {"id", "mic-2"}});
    REQUIRE(set.ok());
    CHECK(std::get<SetDeviceIntent>(set.value()).kind == "input");
    CHECK(std::get<SetDeviceIntent>(set.value()).id == "mic-2");
    auto def = intent_from_json({{"type", "set_device"}, {"kind", "ringer"}, {"id", ""}});  // the default
    REQUIRE(def.ok());
    CHECK(std::get<SetDeviceIntent>(def.value()).kind == "ringer");
    CHECK(std::get<SetDeviceIntent>(def.value()).id.empty());
    CHECK(intent_from_json({{"type", "set_device"}, {"kind", "output"}, {"id", "spk"}}).ok());

    auto wrong_kind = intent_from_json({{"type", "set_device"}, {"kind", "camera"}, {"id", "x"}});
    REQUIRE_FALSE(wrong_kind.ok());
    CHECK(wrong_kind.error().code == "bad_intent");
    CHECK(wrong_kind.error().message.find("kind") != std::string::npos);
    CHECK(intent_from_json({{"type", "set_device"}, {"id", "x"}}).error().code == "bad_intent");
    CHECK(intent_from_json({{"type", "set_device"}, {"kind", "input"}}).error().code == "bad_intent");
    CHECK(intent_from_json({{"type", "set_device"}, {"kind", "input"}, {"id", 3}}).error().code == "bad_intent");
    CHECK(intent_from_json({{"type", "set_device"}, {"kind", "input"}, {"id", std::string(300, 'x')}}).error().code ==
          "bad_intent");

    auto refresh = intent_from_json({{"type", "refresh_devices"}});
    REQUIRE(refresh.ok());
    CHECK_FALSE(std::get<RefreshDevicesIntent>(refresh.value()).probe);
    CHECK(std::get<RefreshDevicesIntent>(intent_from_json({{"type", "refresh_devices"}, {"probe", true}}).value()).probe);
    CHECK(intent_from_json({{"type", "refresh_devices"}, {"probe", "yes"}}).error().code == "bad_intent");
    CHECK(std::holds_alternative<TestRingerIntent>(intent_from_json({{"type", "test_ringer"}}).value()));
}
