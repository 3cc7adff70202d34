// The runtime between a Desk and a Platform: a contact's news reaches listeners as the whole
// contact, built from the desk's state after the event, and only when something listens.
#include "desk_harness.h"
#include "platform/platform.h"
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
void sign_in(ScriptedPlatform& p, sb::platform::Runtime& rt, int messages) {
    p.runtime = &rt;
    rt.start("ws://backend/desk", 7);
    REQUIRE(p.pending_open);
    rt.feed(TransportOpened{});
    p.reply({{"version", 2}, {"server", "test"}, {"now", p.clock}, {"max_frame", 65536}});
    rt.dispatch(LoginIntent{"alice", "switchboard"});
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
