// The session lifecycle: login, presence, events, resume, logout, and every rejected intent.
#include "desk_harness.h"
#include "desk/state_json.h"

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
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
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
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
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
    for (const char* code : {"token_expired", "invalid_token", "account_disabled"}) {
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

TEST_CASE("a malformed session reply is refused: a failed login, and the log names the field") {
    DeskHarness h;
    h.connect();
    uint64_t id = h.intent(LoginIntent{"alice", "x"});
    h.reply_ok({{"token", 5}});
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK(h.completion(id)->error->code == "bad_reply");
    CHECK(h.s().login_error->code == "bad_reply");
    const Log* log = h.find<Log>();
    REQUIRE(log);
    CHECK(log->message.find("session.token must be a string") != std::string::npos);
    CHECK(h.s().connection == ConnectionState::Connected);  // the connection survives
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

// ---- sign-in's second factor: logging_in -> mfa_required -> logged_in ----------------------------

namespace {
json enroll_challenge() {
    return {{"mfa", {{"step", "enroll"}, {"challenge", "chal-0123456789abcdef"}, {"expires_at", 1'700'000'300'000},
                     {"secret", "JBSWY3DPEHPK3PXP"}, {"otpauth", "otpauth://totp/Switchboard:erin?secret=JBSWY3DPEHPK3PXP&issuer=Switchboard"},
                     {"qr", {{"size", 21}, {"modules", std::string(21 * 21, '1')}}}}}};
}
json code_challenge() {
    return {{"mfa", {{"step", "code"}, {"challenge", "chal-abcdef0123456789"}, {"expires_at", 1'700'000'300'000}}}};
}
void reply_error_with(DeskHarness& h, const std::string& code, json extra) {
    json frame = protocol::reply_error(h.last_sent()["id"], make_error(code, "refused"));
    frame["error"].update(extra);
    h.step(FrameReceived{frame.dump()});
}
}  // namespace

TEST_CASE("mfa: enrollment: challenge in state, code sent with it, session with recovery codes shown once") {
    DeskHarness h;
    h.connect();
    uint64_t login = h.intent(LoginIntent{"erin", "switchboard"});
    h.reply_ok(enroll_challenge());
    CHECK(h.s().session == SessionState::MfaRequired);
    REQUIRE(h.s().mfa);
    CHECK(h.s().mfa->step == "enroll");
    CHECK(h.s().mfa->qr_size == 21);
    CHECK(h.s().token.empty());
    CHECK(h.count<Persist>() == 0);  // nothing to resume until the second factor is done
    REQUIRE(h.completion(login));
    CHECK(h.completion(login)->result["mfa"]["step"] == "enroll");
    json st = state_to_json(h.s(), h.now);
    CHECK(st["session"]["state"] == "mfa_required");
    CHECK(st["session"]["mfa"]["secret"] == "JBSWY3DPEHPK3PXP");
    CHECK(st["session"]["mfa"]["qr"]["size"] == 21);
    CHECK_FALSE(st["session"]["mfa"].contains("challenge"));  // the token stays in the desk

    // Enrollment needs the app's code, not a recovery code; a malformed code never leaves the desk.
    size_t sent = h.sent.size();
    CHECK(h.completion(h.intent(MfaIntent{"", "abcde-fghij"}))->error->code == "bad_intent");
    CHECK(h.completion(h.intent(MfaIntent{"12345", ""}))->error->code == "bad_intent");
    CHECK(h.completion(h.intent(MfaIntent{"12a456", ""}))->error->code == "bad_intent");
    CHECK(h.sent.size() == sent);

    uint64_t code = h.intent(MfaIntent{"123 456", ""});
    CHECK(h.last_sent()["type"] == "mfa");
    CHECK(h.last_sent()["challenge"] == "chal-0123456789abcdef");
    CHECK(h.last_sent()["code"] == "123456");
    CHECK(h.s().mfa->verifying);
    CHECK(h.completion(h.intent(MfaIntent{"654321", ""}))->error->code == "login_in_progress");
    json session = DeskHarness::session();
    session["session_id"] = "0123456789abcdef";
    session["recovery_codes"] = json::array({"aaaaa-bbbbb", "ccccc-ddddd"});
    h.reply_ok(session);
    CHECK(h.s().session == SessionState::LoggedIn);
    CHECK_FALSE(h.s().mfa);
    CHECK(h.s().session_id == "0123456789abcdef");
    CHECK(h.s().recovery_codes.size() == 2);
    REQUIRE(h.completion(code));
    CHECK_FALSE(h.completion(code)->error);
    REQUIRE(h.find<Persist>());
    st = state_to_json(h.s(), h.now);
    CHECK(st["session"]["mfa"].is_null());
    CHECK(st["session"]["recovery_codes"] == json::array({"aaaaa-bbbbb", "ccccc-ddddd"}));

    uint64_t done = h.intent(MfaDoneIntent{});
    CHECK_FALSE(h.completion(done)->error);
    CHECK(h.s().recovery_codes.empty());
    CHECK(h.completion(h.intent(MfaDoneIntent{}))->error->code == "invalid_state");
}

TEST_CASE("mfa: a wrong code keeps the challenge with attempts_left; a lock ends it with locked_until") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"erin", "switchboard"});
    h.reply_ok(code_challenge());
    REQUIRE(h.s().session == SessionState::MfaRequired);
    uint64_t first = h.intent(MfaIntent{"111111", ""});
    reply_error_with(h, "invalid_code", {{"attempts_left", 2}});
    CHECK(h.s().session == SessionState::MfaRequired);
    REQUIRE(h.s().mfa);
    CHECK(h.s().mfa->attempts_left == 2);
    CHECK_FALSE(h.s().mfa->verifying);
    CHECK(h.s().login_error->code == "invalid_code");
    CHECK(h.completion(first)->error->code == "invalid_code");
    CHECK(state_to_json(h.s(), h.now)["session"]["mfa"]["attempts_left"] == 2);

    // A recovery code may stand in for the app's code at this step.
    uint64_t second = h.intent(MfaIntent{"", "abcde-fghij"});
    CHECK(h.last_sent()["recovery_code"] == "abcde-fghij");
    CHECK_FALSE(h.last_sent().contains("code"));
    reply_error_with(h, "account_locked", {{"locked_until", 1'700'000'900'000}});
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK_FALSE(h.s().mfa);
    CHECK(h.s().locked_until_ms == 1'700'000'900'000);
    CHECK(h.s().login_error->code == "account_locked");
    CHECK(h.completion(second)->error->code == "account_locked");
    CHECK(state_to_json(h.s(), h.now)["session"]["locked_until"] == 1'700'000'900'000);
    // Not in mfa_required any more: the intent is refused at once.
    CHECK(h.completion(h.intent(MfaIntent{"123456", ""}))->error->code == "invalid_state");
}

TEST_CASE("mfa: an expired challenge returns to sign-in; logout in mfa_required cancels") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"erin", "switchboard"});
    h.reply_ok(code_challenge());
    h.intent(MfaIntent{"123456", ""});
    h.reply_error("challenge_expired", "expired");
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK(h.s().login_error->code == "challenge_expired");

    h.intent(LoginIntent{"erin", "switchboard"});
    h.reply_ok(code_challenge());
    REQUIRE(h.s().session == SessionState::MfaRequired);
    size_t sent = h.sent.size();
    uint64_t back = h.intent(LogoutIntent{});
    CHECK_FALSE(h.completion(back)->error);
    CHECK(h.s().session == SessionState::LoggedOut);
    CHECK_FALSE(h.s().mfa);
    CHECK(h.sent.size() == sent);  // nothing to revoke: there was no session
}

TEST_CASE("mfa: the session table allows mfa_required only between logging_in and logged_in/logged_out") {
    using S = SessionState;
    CHECK(session_transition_allowed(S::LoggingIn, S::MfaRequired));
    CHECK(session_transition_allowed(S::MfaRequired, S::LoggedIn));
    CHECK(session_transition_allowed(S::MfaRequired, S::LoggedOut));
    CHECK_FALSE(session_transition_allowed(S::LoggedOut, S::MfaRequired));
    CHECK_FALSE(session_transition_allowed(S::Resuming, S::MfaRequired));
    CHECK_FALSE(session_transition_allowed(S::MfaRequired, S::Resuming));
    CHECK_FALSE(session_transition_allowed(S::LoggedIn, S::MfaRequired));
    CHECK(to_string(S::MfaRequired) == "mfa_required");
}

TEST_CASE("sessions: list, revoke one, and a revoked session ends at once") {
    DeskHarness h;
    h.login();
    // This desk learns its session id from the login reply.
    DeskHarness me;
    me.connect();
    me.intent(LoginIntent{"alice", "switchboard"});
    json session = DeskHarness::session();
    session["session_id"] = "mine000000000000";
    me.reply_ok(session);
    uint64_t list = me.intent(SessionsIntent{});
    CHECK(me.last_sent()["type"] == "sessions");
    me.reply_ok({{"sessions", json::array({{{"id", "mine000000000000"}, {"address", "127.0.0.1"}, {"created_at", 1}, {"last_seen", 2}, {"expires_at", 3}, {"current", true}},
                                           {{"id", "other00000000000"}, {"address", "10.0.0.2"}, {"created_at", 1}, {"last_seen", 2}, {"expires_at", 3}, {"current", false}}})}});
    CHECK(me.completion(list));
    REQUIRE(me.s().sessions.size() == 2);
    CHECK(state_to_json(me.s(), me.now)["session"]["sessions"][1]["address"] == "10.0.0.2");
    uint64_t revoke = me.intent(RevokeSessionIntent{"other00000000000", false});
    CHECK(me.last_sent()["type"] == "revoke_session");
    CHECK(me.last_sent()["session"] == "other00000000000");
    me.reply_ok({{"revoked", json::array({"other00000000000"})}});
    CHECK(me.completion(revoke));
    CHECK(me.s().sessions.size() == 1);
    me.intent(RevokeSessionIntent{"", true});
    CHECK(me.last_sent()["all_others"] == true);

    // Another desk's revocation of a different session changes nothing here...
    me.event(4, "session.revoked", {{"session", "someone00000000"}, {"reason", "revoked"}});
    CHECK(me.s().session == SessionState::LoggedIn);
    // ...this session's ends it: logged out, nothing left to resume.
    me.event(5, "session.revoked", {{"session", "mine000000000000"}, {"reason", "revoked"}});
    CHECK(me.s().session == SessionState::LoggedOut);
    CHECK(me.s().token.empty());
    CHECK(me.s().login_error->code == "session_revoked");
    auto* p = me.find<Persist>();
    REQUIRE(p);
    CHECK_FALSE(p->value);

    // Signed out: the intents are refused without a request.
    CHECK(me.completion(me.intent(SessionsIntent{}))->error->code == "not_logged_in");
}

TEST_CASE("a disabled account (switchboardd admin disable): the session ends and says why") {
    DeskHarness me;
    me.connect();
    me.intent(LoginIntent{"alice", "switchboard"});
    json session = DeskHarness::session();
    session["session_id"] = "mine000000000000";
    me.reply_ok(session);
    REQUIRE(me.s().session == SessionState::LoggedIn);
    me.event(4, "session.revoked", {{"session", "mine000000000000"}, {"reason", "disabled"}});
    CHECK(me.s().session == SessionState::LoggedOut);
    CHECK(me.s().token.empty());
    REQUIRE(me.s().login_error);
    CHECK(me.s().login_error->code == "account_disabled");
    CHECK(me.s().login_error->message.find("disabled") != std::string::npos);
}

TEST_CASE("intents: mfa, mfa_done, sessions, revoke_session from JSON") {
    auto mfa = intent_from_json(json{{"type", "mfa"}, {"code", "123456"}});
    REQUIRE(mfa);
    CHECK(std::get<MfaIntent>(mfa.value()).code == "123456");
    auto rec = intent_from_json(json{{"type", "mfa"}, {"recovery_code", "abcde-fghij"}});
    REQUIRE(rec);
    CHECK(std::get<MfaIntent>(rec.value()).recovery_code == "abcde-fghij");
    CHECK(intent_from_json(json{{"type", "mfa"}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "mfa"}, {"code", "1"}, {"recovery_code", "x"}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "mfa"}, {"code", 123456}}).error().code == "bad_intent");
    CHECK(std::holds_alternative<MfaDoneIntent>(intent_from_json(json{{"type", "mfa_done"}}).value()));
    CHECK(std::holds_alternative<SessionsIntent>(intent_from_json(json{{"type", "sessions"}}).value()));
    auto one = intent_from_json(json{{"type", "revoke_session"}, {"session", "abc"}});
    REQUIRE(one);
    CHECK(std::get<RevokeSessionIntent>(one.value()).session == "abc");
    auto others = intent_from_json(json{{"type", "revoke_session"}, {"all_others", true}});
    REQUIRE(others);
    CHECK(std::get<RevokeSessionIntent>(others.value()).all_others);
    CHECK(intent_from_json(json{{"type", "revoke_session"}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "revoke_session"}, {"session", "a"}, {"all_others", true}}).error().code == "bad_intent");
    CHECK(intent_from_json(json{{"type", "revoke_session"}, {"all_others", "yes"}}).error().code == "bad_intent");
}
