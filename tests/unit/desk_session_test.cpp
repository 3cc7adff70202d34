// The session lifecycle: login, presence, events, resume, logout, and every rejected intent.
#include "desk_harness.h"

using namespace sb::test;
using sb::agent::Presence;

TEST_CASE("login: success stores the session, announces it, and completes the intent") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LoginIntent{"alice", "switchboard"});
    CHECK(h.s().session == SessionState::LoggingIn);
    CHECK(h.last_sent()["username"] == "alice");
    h.reply_ok(DeskHarness::session(7));
    CHECK(h.s().session == SessionState::LoggedIn);
    CHECK(h.s().token == "tok-0123456789abcdef");
    CHECK(h.s().last_seq == 7);
    REQUIRE(h.s().agent);
    CHECK(h.s().agent->display_name == "Alice Moreau");
    CHECK(h.s().reason_codes.size() == 2);
    auto* persist = h.find<Persist>();
    REQUIRE(persist);
    CHECK(persist->key == "session");
    CHECK(json::parse(*persist->value)["token"] == "tok-0123456789abcdef");
    auto* done = h.completion(id);
    REQUIRE(done);
    CHECK_FALSE(done->error);
    CHECK(done->result["agent"]["username"] == "alice");
}

TEST_CASE("login: wrong credentials leave the desk logged out with the error to show") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LoginIntent{"alice", "nope"});
    h.reply_error("invalid_credentials", "Wrong username or password.");
    CHECK(h.s().session == SessionState::LoggedOut);
    REQUIRE(h.s().login_error);
    CHECK(h.s().login_error->code == "invalid_credentials");
    CHECK(h.s().token.empty());
    CHECK(h.count<Persist>() == 0);
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "invalid_credentials");
}

TEST_CASE("login: rate limiting carries retry_after_ms through to the intent") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LoginIntent{"alice", "nope"});
    Error e = make_error("rate_limited", "Too many attempts.");
    e.retry_after_ms = 42'000;
    h.step(FrameReceived{protocol::reply_error(h.last_sent()["id"], e).dump()});
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->retry_after_ms == 42'000);
    CHECK(h.s().login_error->retry_after_ms == 42'000);
}

TEST_CASE("login: rejected intents change nothing") {
    DeskHarness h;
    h.connect();
    uint64_t empty = h.intent(LoginIntent{"", "x"});
    CHECK(h.completion(empty)->error->code == "bad_intent");
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK(h.count<SendFrame>() == 0);

    DeskHarness in;
    in.login();
    auto before_sent = in.sent.size();
    uint64_t again = in.intent(LoginIntent{"bob", "x"});
    CHECK(in.completion(again)->error->code == "already_logged_in");
    CHECK(in.s().agent->username == "alice");
    CHECK(in.sent.size() == before_sent);
}

TEST_CASE("login before the connection is up waits for it, then is sent") {
    DeskHarness h;
    h.step(Start{"ws://b/desk", 1, std::nullopt});
    uint64_t id = h.intent(LoginIntent{"alice", "switchboard"});
    CHECK_FALSE(h.completion(id));
    CHECK(h.timer(TimerId::LoginWait));
    CHECK(signing_in(h.s()));
    uint64_t second = h.intent(LoginIntent{"alice", "switchboard"});
    CHECK(h.completion(second)->error->code == "login_in_progress");
    h.step(TransportOpened{});
    h.reply_ok({{"version", 1}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    CHECK(h.last_sent()["type"] == "login");
    CHECK(h.s().queued_login_password.empty());
    h.reply_ok(DeskHarness::session());
    CHECK(h.completion(id));
    CHECK(h.s().session == SessionState::LoggedIn);
}

TEST_CASE("login waiting for a backend that never comes fails with not_connected") {
    DeskHarness h;
    h.step(Start{"ws://b/desk", 1, std::nullopt});
    h.step(TransportClosed{"Cannot reach the backend."});
    uint64_t id = h.intent(LoginIntent{"alice", "switchboard"});
    h.now += 15'000;
    h.step(TimerFired{TimerId::LoginWait});
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "not_connected");
    CHECK(h.completion(id)->error->message.find("Cannot reach") != std::string::npos);
    CHECK_FALSE(h.s().queued_login_intent);
}

TEST_CASE("set_state: rejected before login and for bad reasons, without sending anything") {
    DeskHarness h;
    h.connect();
    uint64_t a = h.intent(SetStateIntent{Presence::Available, std::nullopt});
    CHECK(h.completion(a)->error->code == "not_logged_in");

    DeskHarness in;
    in.login();
    auto sent = in.sent.size();
    struct Case { Presence p; std::optional<std::string> reason; } cases[] = {
        {Presence::NotReady, std::nullopt}, {Presence::NotReady, "nap"}, {Presence::Available, "lunch"},
        {Presence::Offline, "break"}};
    for (const auto& c : cases) {
        uint64_t id = in.intent(SetStateIntent{c.p, c.reason});
        REQUIRE(in.completion(id));
        CHECK(in.completion(id)->error->code == "invalid_reason");
    }
    CHECK(in.sent.size() == sent);
    CHECK(in.s().agent->state == Presence::Offline);
    CHECK_FALSE(in.s().presence_pending);
}

TEST_CASE("set_state: request, confirming event, reply") {
    DeskHarness h;
    h.login();
    uint64_t id = h.intent(SetStateIntent{Presence::NotReady, std::string("lunch")});
    CHECK(h.last_sent()["state"] == "not_ready");
    CHECK(h.last_sent()["reason"] == "lunch");
    REQUIRE(h.s().presence_pending);
    CHECK(h.s().presence_pending->reason == "lunch");
    h.event(4, "agent.state", DeskHarness::agent("not_ready", "lunch", h.now));
    CHECK(h.s().agent->state == Presence::NotReady);
    CHECK(h.s().agent->reason == "lunch");
    CHECK(h.s().last_seq == 4);
    CHECK(h.find<Notify>()->event == "agent.state");
    h.reply_ok({{"agent", DeskHarness::agent("not_ready", "lunch", h.now)}});
    CHECK_FALSE(h.s().presence_pending);
    CHECK_FALSE(h.completion(id)->error);
    CHECK(h.completion(id)->result["agent"]["reason"] == "lunch");
}

TEST_CASE("set_state refused by the backend keeps the presence and shows why") {
    DeskHarness h;
    h.login();
    uint64_t id = h.intent(SetStateIntent{Presence::Available, std::nullopt});
    h.reply_error("invalid_state", "Not now.");
    CHECK(h.completion(id)->error->code == "invalid_state");
    CHECK(h.s().agent->state == Presence::Offline);
    CHECK(h.s().notice == "Not now.");
    CHECK_FALSE(h.s().presence_pending);
}

TEST_CASE("set_state to the current presence completes at once without a request") {
    DeskHarness h;
    h.login();
    auto sent = h.sent.size();
    uint64_t id = h.intent(SetStateIntent{Presence::Offline, std::nullopt});
    CHECK_FALSE(h.completion(id)->error);
    CHECK(h.sent.size() == sent);
}

TEST_CASE("events: duplicates and old seqs are ignored, others' agents too") {
    DeskHarness h;
    h.login();  // seq 3
    h.event(3, "agent.state", DeskHarness::agent("available"));
    CHECK(h.s().agent->state == Presence::Offline);
    h.event(5, "agent.state", DeskHarness::agent("available"));
    CHECK(h.s().agent->state == Presence::Available);
    h.event(4, "agent.state", DeskHarness::agent("offline"));
    CHECK(h.s().agent->state == Presence::Available);
    json bob = DeskHarness::agent("offline");
    bob["username"] = "bob";
    h.event(6, "agent.state", bob);
    CHECK(h.s().agent->state == Presence::Available);
    CHECK(h.s().last_seq == 6);
    h.event(7, "queue.stats", json::object());  // unknown to this desk: skipped, seq advances
    CHECK(h.s().last_seq == 7);
}

TEST_CASE("connection loss while logged in: in-flight intents fail, the session resumes after reconnect") {
    DeskHarness h;
    h.login();
    h.event(4, "agent.state", DeskHarness::agent("available"));
    uint64_t id = h.intent(SetStateIntent{Presence::NotReady, std::string("break")});
    h.step(TransportClosed{"cut"});
    CHECK(h.completion(id)->error->code == "connection_lost");
    CHECK_FALSE(h.s().presence_pending);
    CHECK(h.s().session == SessionState::LoggedIn);  // still signed in on the backend
    CHECK(h.s().connection == ConnectionState::WaitingToReconnect);

    uint64_t offline = h.intent(SetStateIntent{Presence::Offline, std::nullopt});
    CHECK(h.completion(offline)->error->code == "not_connected");

    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 1}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    CHECK(h.s().session == SessionState::Resuming);
    CHECK(h.last_sent()["type"] == "resume");
    CHECK(h.last_sent()["token"] == "tok-0123456789abcdef");
    CHECK(h.last_sent()["last_seq"] == 4);
    // The backend answers with the session as of seq 6, then replays 5 and 6.
    h.reply_ok(DeskHarness::session(6, DeskHarness::agent("not_ready", "break")));
    CHECK(h.s().session == SessionState::LoggedIn);
    CHECK(h.s().last_seq == 4);
    h.event(5, "agent.state", DeskHarness::agent("not_ready", "lunch"));
    h.event(6, "agent.state", DeskHarness::agent("not_ready", "break"));
    CHECK(h.s().last_seq == 6);
    CHECK(h.s().agent->reason == "break");
}

TEST_CASE("a stored session (page reload) is resumed as soon as the desk connects") {
    DeskHarness h;
    h.connect(StoredSession{"tok-0123456789abcdef", 9, "alice"});
    CHECK(h.last_sent()["type"] == "resume");
    CHECK(h.last_sent()["last_seq"] == 9);
    h.reply_ok(DeskHarness::session(9));
    CHECK(h.s().session == SessionState::LoggedIn);
    CHECK(h.s().agent->username == "alice");
}

TEST_CASE("a refused resume ends the session and forgets the token") {
    for (const char* code : {"token_expired", "invalid_token"}) {
        DeskHarness h;
        h.connect(StoredSession{"tok-0123456789abcdef", 9, "alice"});
        h.reply_error(code);
        CHECK(h.s().session == SessionState::LoggedOut);
        CHECK(h.s().token.empty());
        REQUIRE(h.s().login_error);
        CHECK(h.s().login_error->code == code);
        auto* p = h.find<Persist>();
        REQUIRE(p);
        CHECK_FALSE(p->value);
    }
}

TEST_CASE("logout: the backend revokes, the desk forgets") {
    DeskHarness h;
    h.login();
    uint64_t id = h.intent(LogoutIntent{});
    CHECK(h.s().session == SessionState::LoggingOut);
    CHECK(h.last_sent()["type"] == "logout");
    h.reply_ok(json::object());
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK_FALSE(h.s().agent);
    CHECK(h.s().token.empty());
    CHECK(h.completion(id)->result["revoked"] == true);
    CHECK_FALSE(h.find<Persist>()->value);
}

TEST_CASE("logout while offline signs out locally") {
    DeskHarness h;
    h.login();
    h.step(TransportClosed{"cut"});
    uint64_t id = h.intent(LogoutIntent{});
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK(h.completion(id)->result["revoked"] == false);
}

TEST_CASE("logout when not logged in is refused") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LogoutIntent{});
    CHECK(h.completion(id)->error->code == "not_logged_in");
    CHECK(h.count<SendFrame>() == 0);
}

TEST_CASE("a malformed session reply is treated as a failed login") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LoginIntent{"alice", "x"});
    h.reply_ok({{"token", 5}});
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK(h.completion(id)->error->code == "internal");
}

TEST_CASE("session transitions outside the table are refused") {
    CHECK(session_transition_allowed(SessionState::LoggedOut, SessionState::LoggingIn));
    CHECK(session_transition_allowed(SessionState::LoggedIn, SessionState::Resuming));
    CHECK_FALSE(session_transition_allowed(SessionState::LoggedOut, SessionState::LoggedIn));
    CHECK_FALSE(session_transition_allowed(SessionState::LoggingOut, SessionState::LoggedIn));
    CHECK_FALSE(session_transition_allowed(SessionState::LoggingIn, SessionState::Resuming));
}

TEST_CASE("the state timer runs on the server's clock") {
    DeskHarness h;
    h.login();  // clock offset +5000, state_since 1'699'999'000'000
    CHECK(state_elapsed_ms(h.s(), h.now) == h.now + 5000 - 1'699'999'000'000);
}
