// The connection lifecycle: start, handshake, heartbeat, deadlines, loss and reconnect.
#include "desk_harness.h"

using namespace sb::test;

TEST_CASE("start opens the transport and the handshake offers version 3") {
    DeskHarness h;
    h.step(Start{"ws://backend/desk", 1, std::nullopt});
    REQUIRE(h.find<OpenTransport>());
    CHECK(h.find<OpenTransport>()->url == "ws://backend/desk");
    CHECK(h.s().connection == ConnectionState::Connecting);

    h.step(TransportOpened{});
    CHECK(h.s().connection == ConnectionState::Handshaking);
    CHECK(h.last_sent()["type"] == "hello");
    CHECK(h.last_sent()["versions"] == json::array({3}));
    CHECK(h.timer(TimerId::RequestDeadline));

    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now + 2500}, {"max_frame", 65536}});
    CHECK(h.s().connection == ConnectionState::Connected);
    CHECK(h.s().clock_offset_ms == 2500);
    REQUIRE(h.timer(TimerId::Heartbeat));
    CHECK(h.timer(TimerId::Heartbeat)->delay_ms == h.desk.config().heartbeat_interval_ms);
}

TEST_CASE("a second start is refused and changes nothing") {
    DeskHarness h;
    h.connect();
    h.step(Start{"ws://other/desk", 2, std::nullopt});
    CHECK(h.count<OpenTransport>() == 0);
    CHECK(h.s().backend_url == "ws://backend/desk");
    CHECK(h.s().connection == ConnectionState::Connected);
}

TEST_CASE("a transport opened in the wrong state is ignored") {
    DeskHarness h;
    h.connect();
    h.step(TransportOpened{});
    CHECK(h.s().connection == ConnectionState::Connected);
    CHECK(h.count<SendFrame>() == 0);
}

TEST_CASE("hello refused or with a foreign version: the desk reconnects later") {
    DeskHarness h;
    h.step(Start{"ws://backend/desk", 1, std::nullopt});
    h.step(TransportOpened{});
    h.reply_error("unsupported_version", "speaks 2");
    CHECK(h.s().connection == ConnectionState::WaitingToReconnect);
    CHECK(h.s().connection_error.find("speaks 2") != std::string::npos);
    CHECK(h.find<CloseTransport>());

    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 7}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    CHECK(h.s().connection == ConnectionState::WaitingToReconnect);
}

TEST_CASE("reconnect backoff doubles, is capped, and is jittered by the seed") {
    auto delays = [](uint64_t seed) {
        DeskHarness h;
        h.step(Start{"ws://b/desk", seed, std::nullopt});
        std::vector<int64_t> out;
        for (int i = 0; i < 10; ++i) {
            h.step(TransportClosed{"refused"});
            REQUIRE(h.timer(TimerId::Reconnect));
            out.push_back(h.timer(TimerId::Reconnect)->delay_ms);
            h.step(TimerFired{TimerId::Reconnect});
            REQUIRE(h.find<OpenTransport>());
        }
        return out;
    };
    auto a = delays(1), b = delays(1), c = delays(99);
    CHECK(a == b);  // same inputs, same outputs
    CHECK(a != c);  // the seed is the randomness
    const DeskConfig cfg;
    for (size_t i = 0; i < a.size(); ++i) {
        int64_t base = std::min(cfg.reconnect_cap_ms, cfg.reconnect_base_ms << i);
        CHECK(a[i] >= base / 2);
        CHECK(a[i] <= base);
    }
    CHECK(a.back() <= cfg.reconnect_cap_ms);
    CHECK(a.back() >= cfg.reconnect_cap_ms / 2);
}

TEST_CASE("a good connection resets the backoff") {
    DeskHarness h;
    h.step(Start{"ws://b/desk", 5, std::nullopt});
    for (int i = 0; i < 6; ++i) {
        h.step(TransportClosed{"x"});
        h.step(TimerFired{TimerId::Reconnect});
    }
    CHECK(h.s().reconnect_attempt == 6);
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    CHECK(h.s().reconnect_attempt == 0);
    h.step(TransportClosed{"x"});
    CHECK(h.timer(TimerId::Reconnect)->delay_ms <= h.desk.config().reconnect_base_ms);
}

TEST_CASE("the reconnect timer firing while connected does nothing") {
    DeskHarness h;
    h.connect();
    h.step(TimerFired{TimerId::Reconnect});
    CHECK(h.count<OpenTransport>() == 0);
}

TEST_CASE("heartbeat pings; a backend that stops answering is dropped and reconnected") {
    DeskHarness h;
    h.connect();
    h.now += 20'000;
    h.step(TimerFired{TimerId::Heartbeat});
    CHECK(h.last_sent()["type"] == "ping");
    CHECK(h.timer(TimerId::Heartbeat));
    h.reply_ok({{"now", h.now}});
    CHECK(h.s().pending.empty());

    h.now += 20'000;
    h.step(TimerFired{TimerId::Heartbeat});
    h.now += 10'001;
    h.step(TimerFired{TimerId::RequestDeadline});
    CHECK(h.s().connection == ConnectionState::WaitingToReconnect);
    CHECK(h.find<CloseTransport>());
    CHECK(h.s().pending.empty());
}

TEST_CASE("a deadline timer that fires early only re-arms") {
    DeskHarness h;
    h.connect();
    h.step(TimerFired{TimerId::Heartbeat});
    h.now += 3000;
    h.step(TimerFired{TimerId::RequestDeadline});
    CHECK(h.s().connection == ConnectionState::Connected);
    REQUIRE(h.timer(TimerId::RequestDeadline));
    CHECK(h.timer(TimerId::RequestDeadline)->delay_ms == 7000);
}

TEST_CASE("frames that are not protocol are ignored with a log line") {
    DeskHarness h;
    h.login();
    auto before = h.s().agent;
    for (const char* bad : {"not json", "[1,2]", "{\"type\":5}", "{\"type\":\"mystery\"}",
                            "{\"type\":\"reply\",\"id\":\"999\",\"ok\":true,\"result\":{}}",
                            "{\"type\":\"reply\",\"id\":null,\"ok\":false,\"error\":{\"code\":\"bad_json\",\"message\":\"m\"}}",
                            "{\"type\":\"event\",\"event\":\"agent.state\"}",
                            "{\"type\":\"event\",\"seq\":9,\"event\":\"agent.state\",\"data\":{\"username\":3}}",
                            "\xff\xfe"}) {
        h.step(FrameReceived{bad});
        CHECK_MESSAGE(h.find<Log>(), bad);
        CHECK(h.s().agent == before);
        CHECK(h.s().connection == ConnectionState::Connected);
    }
}

TEST_CASE("connection transitions outside the table are refused") {
    CHECK(connection_transition_allowed(ConnectionState::Disconnected, ConnectionState::Connecting));
    CHECK(connection_transition_allowed(ConnectionState::Connected, ConnectionState::WaitingToReconnect));
    CHECK_FALSE(connection_transition_allowed(ConnectionState::Disconnected, ConnectionState::Connected));
    CHECK_FALSE(connection_transition_allowed(ConnectionState::Connecting, ConnectionState::Connected));
    CHECK_FALSE(connection_transition_allowed(ConnectionState::WaitingToReconnect, ConnectionState::Connected));
    CHECK_FALSE(connection_transition_allowed(ConnectionState::Connected, ConnectionState::Handshaking));
}

TEST_CASE("the same events give the same effects (replayable sessions)") {
    auto run = [] {
        DeskHarness h;
        std::string log;
        h.login();
        h.intent(SetStateIntent{agent::Presence::Available, std::nullopt});
        h.step(TransportClosed{"cut"});
        for (const auto& e : h.effects)
            if (auto* t = std::get_if<StartTimer>(&e)) log += std::to_string(t->delay_ms) + ";";
        for (const auto& j : h.sent) log += j.dump();
        return log;
    };
    CHECK(run() == run());
}
