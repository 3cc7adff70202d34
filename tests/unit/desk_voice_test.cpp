// The desk's phone (core/desk/voice.cpp): the session's SIP credentials configure the user
// agent, the SIP WebSocket opens beside the desk's, REGISTER answers a digest challenge, the
// registration shows in state(), a lost transport comes back with backoff and registers again,
// logout closes it, and the credentials never reach state() or a log.
#include "desk_voice_harness.h"

using namespace sb::test;

TEST_CASE("voice: login with SIP credentials registers the phone through a digest challenge") {
    DeskHarness h;
    login_with_sip(h);
    auto* open = h.find<OpenSipTransport>();
    REQUIRE(open);
    CHECK(open->url == "ws://127.0.0.1:5066");
    CHECK(h.s().voice.available);
    CHECK(h.s().voice.transport == SipTransportState::Connecting);

    h.step(SipTransportOpened{});
    auto sent = sip_sent(h.effects);
    REQUIRE(sent.size() == 1);
    auto reg = parsed(sent[0]);
    CHECK(reg.method() == "REGISTER");
    CHECK(reg.find("To")->value.find("sip:alice@switchboard.test") != std::string_view::npos);
    CHECK(reg.find("Via")->value.rfind("SIP/2.0/WS ", 0) == 0);  // ws:// gives WS, not WSS
    CHECK_FALSE(reg.find("Authorization"));

    h.step(SipReceived{answer(reg, 401, "Unauthorized",
                              {{"WWW-Authenticate", "Digest realm=\"switchboard.test\", nonce=\"n0nce1\", qop=\"auth\", algorithm=MD5"}})});
    sent = sip_sent(h.effects);
    REQUIRE(sent.size() == 1);
    auto reg2 = parsed(sent[0]);
    auto auth = reg2.find("Authorization");
    REQUIRE(auth);
    CHECK(auth->value.find("username=\"alice.0a1b2c3d4e5f\"") != std::string_view::npos);
    CHECK(auth->value.find("nonce=\"n0nce1\"") != std::string_view::npos);
    CHECK(h.s().voice.registration == sb::sip::RegistrationState::registering);

    h.step(SipReceived{answer(reg2, 200, "OK", {{"Contact", std::string(reg2.find("Contact")->value) + ";expires=600"}})});
    CHECK(h.s().voice.registration == sb::sip::RegistrationState::registered);
    CHECK_FALSE(h.s().voice.error);
    CHECK(h.timer(TimerId::Sip));  // the refresh (and keepalive) run on the one platform timer
    bool announced = false;
    for (const auto& e : h.effects)
        if (auto* n = std::get_if<Notify>(&e); n && n->event == "voice") announced = n->data["registration"] == "registered";
    CHECK(announced);

    json voice = sb::desk::state_to_json(h.s(), h.now)["voice"];
    CHECK(voice["available"] == true);
    CHECK(voice["registration"] == "registered");
    CHECK(voice["transport"] == "open");
    CHECK(voice["uri"] == "sip:alice@switchboard.test");
    CHECK(state_text(h).find("pw-Secret-42-xyz") == std::string::npos);
}

TEST_CASE("voice: the refresh goes out before expiry, on the multiplexed timer") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=120"}})});
    REQUIRE(h.s().voice.registration == sb::sip::RegistrationState::registered);
    SipClock clock;
    clock.saw(h);
    // Fire the timers in order until a REGISTER goes out: it must be before the 120 s lapse.
    int64_t registered_at = h.now;
    std::vector<std::string> sent;
    for (int i = 0; i < 20 && sent.empty(); ++i) {
        fire_sip_timer(h, clock);
        for (auto& t : sip_sent(h.effects)) {
            if (t.rfind("REGISTER ", 0) == 0) sent.push_back(t);
            if (t == "\r\n\r\n") {  // a keepalive ping: the registrar's pong
                h.step(SipReceived{"\r\n"});
                clock.saw(h);
            }
        }
    }
    CHECK(h.s().voice.registration != sb::sip::RegistrationState::failed);
    REQUIRE(sent.size() == 1);
    CHECK(h.now - registered_at < 120'000);
    CHECK(h.now - registered_at >= 60'000);
}

TEST_CASE("voice: a lost SIP connection reconnects with backoff and registers again") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});

    h.step(SipTransportClosed{"Cannot reach the telephony server."});
    CHECK(h.s().voice.transport == SipTransportState::WaitingToReconnect);
    REQUIRE(h.s().voice.error);
    CHECK(h.s().voice.error->message.find("Cannot reach the telephony server.") != std::string::npos);
    const StartTimer* t = h.timer(TimerId::Sip);
    REQUIRE(t);
    CHECK(t->delay_ms >= 500);
    CHECK(t->delay_ms <= 1000);
    CHECK_FALSE(h.find<OpenSipTransport>());

    fire_sip_timer(h);
    REQUIRE(h.find<OpenSipTransport>());
    CHECK(h.s().voice.transport == SipTransportState::Connecting);
    // It fails again: the next wait is longer (1-2 s).
    h.step(SipTransportClosed{"Cannot reach the telephony server."});
    CHECK(h.timer(TimerId::Sip)->delay_ms >= 1000);
    fire_sip_timer(h);
    h.step(SipTransportOpened{});
    auto again = sip_sent(h.effects);
    REQUIRE(again.size() == 1);
    CHECK(parsed(again[0]).method() == "REGISTER");
    CHECK(h.s().voice.reconnect_attempt == 0);
}

TEST_CASE("voice: logout closes the phone; a session without telephony has none") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    h.intent(LogoutIntent{});
    h.reply_ok(json::object());
    CHECK(h.find<CloseSipTransport>());
    CHECK_FALSE(h.s().voice.available);
    // Late news from the old transport changes nothing.
    h.step(SipTransportClosed{"closed"});
    CHECK(h.s().voice.transport == SipTransportState::Closed);
    CHECK_FALSE(h.find<OpenSipTransport>());

    DeskHarness plain;
    login_with_sip(plain, nullptr);
    CHECK_FALSE(plain.find<OpenSipTransport>());
    CHECK_FALSE(plain.s().voice.available);
    CHECK(sb::desk::state_to_json(plain.s(), plain.now)["voice"]["uri"].is_null());

    DeskHarness broken;
    login_with_sip(broken, json{{"uri", "sip:alice@x"}, {"ws_url", "http://nope"}});
    CHECK_FALSE(broken.find<OpenSipTransport>());
    REQUIRE(broken.s().voice.error);
    CHECK(broken.s().voice.error->code == "sip_credentials");
}

TEST_CASE("voice: the password never reaches a log; garbage from the SIP server is only logged") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 401, "Unauthorized", {{"WWW-Authenticate", "Digest realm=\"switchboard.test\", nonce=\"n1\""}})});
    h.step(SipReceived{"this is not SIP\r\n\r\n"});
    h.step(SipReceived{std::string("\xff\xfe\x00garbage", 10)});
    CHECK(h.s().session == SessionState::LoggedIn);
    CHECK(h.s().voice.transport == SipTransportState::Open);
    for (const auto& e : h.effects)
        if (auto* l = std::get_if<Log>(&e)) CHECK(l->message.find("pw-Secret-42-xyz") == std::string::npos);
}

TEST_CASE("voice: one tab per agent holds the phone; another says so, can take it over, and gets it back when freed") {
    DeskHarness h;
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session();
    s["sip"] = kSip;
    h.reply_ok(s);
    auto* claim = h.find<ClaimPhone>();
    REQUIRE(claim);
    CHECK(claim->agent == "alice");
    CHECK_FALSE(claim->take_over);
    CHECK_FALSE(h.find<OpenSipTransport>());  // not before this tab holds the phone

    h.step(PhoneOwnership{PhoneOwnership::Kind::Busy});
    CHECK(h.s().voice.owner == PhoneOwner::OtherTab);
    CHECK_FALSE(h.find<OpenSipTransport>());
    REQUIRE(h.s().voice.error);
    CHECK(h.s().voice.error->code == "phone_in_other_tab");
    CHECK(sb::desk::state_to_json(h.s(), h.now)["voice"]["owner"] == "other_tab");

    uint64_t id = h.intent(TakePhoneIntent{});
    REQUIRE(h.completion(id));
    claim = h.find<ClaimPhone>();
    REQUIRE(claim);
    CHECK(claim->take_over);
    h.step(PhoneOwnership{PhoneOwnership::Kind::Granted});
    CHECK(h.find<OpenSipTransport>());
    CHECK(h.s().voice.owner == PhoneOwner::Here);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    REQUIRE(h.s().voice.registration == sb::sip::RegistrationState::registered);

    // Another tab takes it: this one closes its SIP WebSocket and does not reconnect.
    h.step(PhoneOwnership{PhoneOwnership::Kind::Taken});
    CHECK(h.find<CloseSipTransport>());
    CHECK(h.s().voice.owner == PhoneOwner::OtherTab);
    CHECK(h.s().voice.transport == SipTransportState::Closed);
    CHECK(h.s().voice.registration == sb::sip::RegistrationState::unregistered);
    h.now += 120'000;
    for (int i = 0; i < 5; ++i) {
        if (!h.timer(TimerId::Sip)) break;
        h.step(TimerFired{TimerId::Sip});
        CHECK_FALSE(h.find<OpenSipTransport>());
    }

    // That tab lets go: this one claims the phone again.
    h.step(PhoneOwnership{PhoneOwnership::Kind::Free});
    REQUIRE(h.find<ClaimPhone>());
    CHECK_FALSE(h.find<ClaimPhone>()->take_over);
    h.step(PhoneOwnership{PhoneOwnership::Kind::Granted});
    CHECK(h.find<OpenSipTransport>());

    // Logout lets go of it.
    h.intent(LogoutIntent{});
    h.reply_ok(json::object());
    CHECK(h.find<ReleasePhone>());
}
