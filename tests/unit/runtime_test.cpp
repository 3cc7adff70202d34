// The runtime between a Desk and a Platform: a contact's news reaches listeners as the whole
// contact, built from the desk's state after the event, and only when something listens.
#include <algorithm>

#include "desk/event_json.h"
#include "desk/state_json.h"
#include "desk_harness.h"
#include "platform/platform.h"
#include "platform/recording.h"
#include "platform/runtime.h"

using namespace sb::test;

namespace {

// A platform that answers the desk's requests from a script and records the notifications.
struct ScriptedPlatform : sb::platform::Platform {
    sb::platform::Runtime* runtime = nullptr;
    std::vector<std::string> sent;
    std::vector<std::pair<std::string, json>> notified;
    bool listening = true;
    int64_t clock = 1'700'000'000'000;

    int64_t now_ms() override { return clock; }
    void open_transport(const std::string&) override { pending_open = true; }
    void close_transport() override {}
    void send_frame(const std::string& text) override { sent.push_back(text); }
    void start_timer(TimerId, int64_t) override {}
    void cancel_timer(TimerId) override {}
    void persist(const std::string&, const std::optional<std::string>&) override {}
    std::optional<std::string> load(const std::string&) override { return std::nullopt; }
    void complete_intent(uint64_t, const json&) override {}
    void notify(const std::string& event, const json& data) override { notified.emplace_back(event, data); }
    bool listens(const std::string&) const override { return listening; }
    void log(LogLevel, const std::string&) override {}
    void request_redraw() override {}
    void open_sip(const std::string&) override {}
    void close_sip() override {}
    void send_sip(const std::string&) override {}
    void media(const Media&) override {}
    void claim_phone(const std::string&, bool) override {}
    void release_phone() override {}
    void devices(const Devices&) override {}

    bool pending_open = false;
    json last_request() const { return json::parse(sent.back()); }
    void reply(json result) {
        runtime->feed(FrameReceived{protocol::reply_ok(last_request()["id"].get<std::string>(), std::move(result)).dump()});
    }
};

json chat(const std::string& state, int messages) {
    json c = {{"id", "c1"}, {"channel", "chat"}, {"state", state}, {"queue", "support"},
              {"customer", {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", nullptr},
                            {"chat_identity", "dana@example.com"}, {"email", nullptr}, {"notes", ""}, {"history", json::array()}}},
              {"message_count", messages}, {"last_message", nullptr}, {"created_at", 1'700'000'000'000},
              {"offer_expires_at", nullptr}, {"accepted_at", 1'700'000'000'000}, {"ended_at", nullptr},
              {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false}};
    if (messages > 0) c["last_message"] = {{"id", "m" + std::to_string(messages - 1)}, {"seq", messages}};
    return c;
}

// The chat's transcript, as get_messages returns it.
json transcript(int messages) {
    json list = json::array();
    for (int i = 0; i < messages; ++i)
        list.push_back({{"id", "m" + std::to_string(i)}, {"seq", i + 1}, {"from", "customer"}, {"text", "hello"},
                        {"at", 1'700'000'000'000}, {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}});
    return {{"messages", std::move(list)}, {"more", false}};
}

// A logged-in runtime holding one active chat with `messages` messages.
void sign_in(ScriptedPlatform& p, sb::platform::Runtime& rt, int messages, const std::string& password = "switchboard") {
    p.runtime = &rt;
    rt.start("ws://backend/desk", 7);
    REQUIRE(p.pending_open);
    rt.feed(TransportOpened{});
    p.reply({{"version", 3}, {"server", "test"}, {"now", p.clock}, {"max_frame", 65536}});
    rt.dispatch(LoginIntent{"alice", password});
    json session = DeskHarness::session(3);
    session["contacts"] = json::array({chat("active", messages)});
    p.reply(session);
    REQUIRE(rt.state().session == SessionState::LoggedIn);
    if (messages > 0) {  // the desk fetches the transcript the contact object only counts
        REQUIRE(p.last_request()["type"] == "get_messages");
        p.reply(transcript(messages));
    }
    REQUIRE(rt.state().contacts.at(0).messages.size() == size_t(messages));
}

}  // namespace

TEST_CASE("runtime: a contact's news reaches listeners as the whole contact, as it is after the event") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    sign_in(p, rt, 3);
    p.notified.clear();
    json m = {{"id", "m9"}, {"seq", 4}, {"from", "customer"}, {"text", "are you there?"}, {"at", 1'700'000'001'000},
              {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}};
    rt.feed(FrameReceived{protocol::event_frame(4, "contact.message", {{"contact", "c1"}, {"message", m}}).dump()});
    const json* updated = nullptr;
    for (const auto& [event, data] : p.notified)
        if (event == "contact.updated") updated = &data;
    REQUIRE(updated);
    CHECK((*updated)["id"] == "c1");
    CHECK((*updated)["state"] == "active");
    REQUIRE((*updated)["messages"].size() == 4);
    CHECK((*updated)["messages"][3]["text"] == "are you there?");
}

TEST_CASE("runtime: nothing is built for events nobody listens to") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    sign_in(p, rt, 3);
    p.listening = false;
    p.notified.clear();
    json m = {{"id", "m9"}, {"seq", 4}, {"from", "customer"}, {"text", "hello?"}, {"at", 1'700'000'001'000},
              {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}};
    rt.feed(FrameReceived{protocol::event_frame(4, "contact.message", {{"contact", "c1"}, {"message", m}}).dump()});
    CHECK(p.notified.empty());
    CHECK(rt.state().contacts.at(0).messages.size() == 4);  // the desk itself took the message
}

TEST_CASE("desk: a contact's news names the contact instead of carrying its transcript") {
    DeskHarness h;
    h.login();
    h.event(4, "contact.offered", chat("offered", 0));
    json m = {{"id", "m1"}, {"seq", 1}, {"from", "customer"}, {"text", "hi"}, {"at", 1'700'000'001'000},
              {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}};
    h.event(5, "contact.message", {{"contact", "c1"}, {"message", m}});
    auto* n = h.find<Notify>();
    REQUIRE(n);
    CHECK(n->event == "contact.updated");
    CHECK(n->contact == "c1");
    CHECK(n->data.is_null());
}

// ---- recording and replay (platform/recording.h) --------------------------------------------------

namespace {

// A recorded session: sign in, a message arrives, the agent answers, time passes (a heartbeat),
// and the server confirms the answer.
std::string recorded_session(ScriptedPlatform& p, sb::platform::Runtime& rt) {
    rt.record("unit test");
    sign_in(p, rt, 2, "hunter2-password");
    json m = {{"id", "m9"}, {"seq", 3}, {"from", "customer"}, {"text", "are you there?"}, {"at", p.clock + 1000},
              {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}};
    p.clock += 1000;
    rt.feed(FrameReceived{protocol::event_frame(4, "contact.message", {{"contact", "c1"}, {"message", m}}).dump()});
    p.clock += 2500;
    rt.dispatch(SendMessageIntent{"c1", "Yes, I am here."});
    json sent = p.last_request();
    REQUIRE(sent["type"] == "send_message");
    p.clock += 20'000;
    rt.feed(TimerFired{TimerId::Heartbeat});
    json reply = {{"message", {{"id", "m10"}, {"seq", 4}, {"from", "agent"}, {"text", "Yes, I am here."},
                               {"at", p.clock}, {"agent", "alice"}, {"status", "sent"}, {"segments", nullptr},
                               {"client_id", sent["client_id"]}}}};
    rt.feed(FrameReceived{protocol::reply_ok(sent["id"].get<std::string>(), reply).dump()});
    auto log = rt.support_log();
    REQUIRE(log);
    return *log;
}

}  // namespace

TEST_CASE("recording: a recorded session replays through a fresh desk to the state the live one reached") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    const std::string log = recorded_session(p, rt);
    std::vector<std::string> replayed_types;
    auto r = sb::platform::replay(log, [&](int64_t, const Event& e, const std::vector<Effect>& effects) {
        replayed_types.push_back(desk::event_to_json(e)["type"]);
        if (std::holds_alternative<IntentReceived>(e) &&
            std::holds_alternative<SendMessageIntent>(std::get<IntentReceived>(e).intent)) {
            bool sent = false;  // the replayed desk sends the same request again
            for (const auto& effect : effects)
                if (auto* f = std::get_if<SendFrame>(&effect)) sent = sent || json::parse(f->text)["type"] == "send_message";
            CHECK(sent);
        }
    });
    REQUIRE(r);
    CHECK_FALSE(r.value().truncated);
    CHECK(r.value().events == replayed_types.size());
    CHECK(replayed_types.front() == "start");
    CHECK(std::count(replayed_types.begin(), replayed_types.end(), "timer") == 1);
    // The replay ends where the live desk did: the log's end state, and the live state itself.
    CHECK(r.value().state == r.value().recorded_state);
    json live = sb::platform::redact_json(desk::state_to_json(rt.state(), p.clock));
    CHECK(sb::platform::first_difference(r.value().state, live) == std::nullopt);
    REQUIRE(r.value().state["contacts"][0]["messages"].size() == 4);
    CHECK(r.value().state["contacts"][0]["messages"][3]["text"] == "Yes, I am here.");
    CHECK(r.value().at == p.clock);
}

TEST_CASE("recording: the log holds no password or session token, and still replays the sign-in") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    const std::string log = recorded_session(p, rt);
    CHECK(log.find("hunter2-password") == std::string::npos);
    CHECK(log.find("tok-0123456789abcdef") == std::string::npos);
    CHECK(log.find("[redacted]") != std::string::npos);
    auto r = sb::platform::replay(log);
    REQUIRE(r);
    CHECK(r.value().state["session"]["state"] == "logged_in");
}

TEST_CASE("recording: a card number typed into a draft or a message is masked in the log, which still replays") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    rt.record("unit test");
    sign_in(p, rt, 2);
    rt.dispatch(SaveDraftIntent{"c1", std::string("my card is 4111 1111 1111 1111"), WrapUpDraft{"", "paid by 4111111111111111", {}}});
    rt.dispatch(SendMessageIntent{"c1", "Was it 4111 1111 1111 1111?"});
    const std::string log = *rt.support_log();
    CHECK(log.find("4111 1111 1111 1111") == std::string::npos);
    CHECK(log.find("4111111111111111") == std::string::npos);
    CHECK(log.find("1111") != std::string::npos);  // the last four, as a receipt shows them
    auto r = sb::platform::replay(log);
    REQUIRE(r);
    CHECK(sb::platform::first_difference(r.value().state, r.value().recorded_state) == std::nullopt);
}

TEST_CASE("recording: a log changed after the fact replays to another state, and says where") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    std::string log = recorded_session(p, rt);
    size_t at = log.find("are you there?");
    REQUIRE(at != std::string::npos);
    log.replace(at, 14, "are you awake?");
    auto r = sb::platform::replay(log);
    REQUIRE(r);
    auto d = sb::platform::first_difference(r.value().state, r.value().recorded_state);
    REQUIRE(d);
    CHECK(d->find("/contacts/0/") == 0);
    CHECK(d->find("awake") != std::string::npos);
}

TEST_CASE("recording: past its size limit the recording stops, says so, and what it kept still replays") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    rt.record("unit test", 600);  // the sign-in's reply (the session, ~700 bytes) does not fit
    sign_in(p, rt, 2);
    const std::string log = *rt.support_log();
    auto r = sb::platform::replay(log);
    REQUIRE(r);
    CHECK(r.value().truncated);
    CHECK(r.value().events > 0);
    CHECK(r.value().state["session"]["state"] != "logged_in");  // the sign-in's reply was not kept
    CHECK(r.value().recorded_state["session"]["state"] == "logged_in");
}

TEST_CASE("recording: not recording, there is no support log") {
    ScriptedPlatform p;
    sb::platform::Runtime rt(p);
    sign_in(p, rt, 0);
    CHECK_FALSE(rt.support_log());
}

TEST_CASE("replay: what is not a session log is refused with the line that is wrong") {
    auto header = json{{"switchboard_log", sb::platform::kLogVersion}}.dump() + "\n";
    auto error_of = [](const std::string& log) {
        auto r = sb::platform::replay(log);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == "bad_log");
        return r.error().message;
    };
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("{\"hello\": 1}\n").find("line 1: not a Switchboard session log") == 0);
    CHECK(error_of(json{{"switchboard_log", 99}}.dump() + "\n").find("version 99") != std::string::npos);
    CHECK(error_of(header + "not json\n").find("line 2: not a JSON object") == 0);
    CHECK(error_of(header + "{\"t\": 5}\n").find("line 2: no \"event\"") == 0);
    CHECK(error_of(header + "{\"t\": 5, \"event\": {\"type\": \"teleport\"}}\n").find("line 2:") == 0);
    CHECK(error_of(header + "{\"end\": true}\n{\"t\": 5, \"event\": {\"type\": \"transport_opened\"}}\n")
              .find("line 3: something follows the end line") == 0);
    CHECK(error_of(json{{"switchboard_log", 1}, {"config", {{"request_timeout_ms", -5}}}}.dump()).find("config.request_timeout_ms") !=
          std::string::npos);
}
