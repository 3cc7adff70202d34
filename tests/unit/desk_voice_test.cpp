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

namespace {
const Devices* devices_effect(const DeskHarness& h, DevicesOp op) {
    for (const auto& e : h.effects)
        if (auto* d = std::get_if<Devices>(&e); d && d->op == op) return d;
    return nullptr;
}
MediaDevices two_of_each() {
    MediaDevices m;
    m.devices = {{"input", "default", "Default - Fake Audio Input 1"}, {"input", "mic-2", "Fake Audio Input 2"},
                 {"output", "default", "Default - Fake Audio Output 1"}, {"output", "spk-2", "Fake Audio Output 2"},
                 {"video", "cam", "a camera is not for us"}};
    m.input = "mic-2";
    m.microphone = "granted";
    return m;
}
}  // namespace

TEST_CASE("voice: audio devices are listed when this tab gets the phone, shown in state(), chosen and tested") {
    DeskHarness h;
    CHECK(state_to_json(h.s(), h.now)["voice"]["devices"].is_null());  // not known before a report
    login_with_sip(h);
    REQUIRE(devices_effect(h, DevicesOp::List));  // the phone is here: what can it use?
    CHECK_FALSE(devices_effect(h, DevicesOp::List)->probe);

    h.step(two_of_each());
    REQUIRE(h.find<Notify>());
    CHECK(h.find<Notify>()->event == "voice.devices");
    json d = state_to_json(h.s(), h.now)["voice"]["devices"];
    REQUIRE(d.is_object());
    CHECK(d["list"].size() == 4);  // the camera is left out
    CHECK(d["list"][1] == json{{"kind", "input"}, {"id", "mic-2"}, {"label", "Fake Audio Input 2"}});
    CHECK(d["input"] == "mic-2");
    CHECK(d["output"] == "");
    CHECK(d["microphone"] == "granted");
    CHECK(d["error"].is_null());

    // The same report again changes nothing and says nothing.
    h.step(two_of_each());
    CHECK_FALSE(h.find<Notify>());

    // The settings open: the list again, asking for the microphone so that labels show.
    uint64_t id = h.intent(RefreshDevicesIntent{true});
    REQUIRE(h.completion(id));
    CHECK_FALSE(h.completion(id)->error);
    REQUIRE(devices_effect(h, DevicesOp::List));
    CHECK(devices_effect(h, DevicesOp::List)->probe);

    // A speaker chosen: the platform applies it, state() shows it at once.
    id = h.intent(SetDeviceIntent{"output", "spk-2"});
    REQUIRE(h.completion(id));
    CHECK_FALSE(h.completion(id)->error);
    const Devices* set = devices_effect(h, DevicesOp::Set);
    REQUIRE(set);
    CHECK(set->kind == "output");
    CHECK(set->id == "spk-2");
    CHECK(state_to_json(h.s(), h.now)["voice"]["devices"]["output"] == "spk-2");
    // The ringer is a speaker too; "" goes back to the system default.
    id = h.intent(SetDeviceIntent{"ringer", "spk-2"});
    CHECK_FALSE(h.completion(id)->error);
    CHECK(h.s().audio.ringer == "spk-2");
    id = h.intent(SetDeviceIntent{"input", ""});
    CHECK_FALSE(h.completion(id)->error);
    CHECK(h.s().audio.input == "");

    // A device that is not there is refused, and nothing is asked of the platform.
    id = h.intent(SetDeviceIntent{"input", "spk-2"});  // a speaker is no microphone
    REQUIRE(h.completion(id));
    REQUIRE(h.completion(id)->error);
    CHECK(h.completion(id)->error->code == "unknown_device");
    CHECK_FALSE(devices_effect(h, DevicesOp::Set));
    CHECK(h.s().audio.input == "");

    // Test the ringer: a short ring on the ringer device.
    id = h.intent(TestRingerIntent{});
    CHECK_FALSE(h.completion(id)->error);
    REQUIRE(devices_effect(h, DevicesOp::TestRinger));
    CHECK(devices_effect(h, DevicesOp::TestRinger)->ms > 0);

    // The browser refused the microphone: state() says so.
    MediaDevices refused;
    refused.devices = {{"input", "", "Microphone"}};
    refused.microphone = "denied";
    h.step(refused);
    CHECK(state_to_json(h.s(), h.now)["voice"]["devices"]["microphone"] == "denied");
}

TEST_CASE("voice: the ringer cannot be tested while a call rings; device choices outlive the phone's session") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    h.step(two_of_each());
    const std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                            "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    h.step(SipReceived{"INVITE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n"
                       "Via: SIP/2.0/WS proxy.test;branch=z9hG4bKring1\r\n"
                       "From: <sip:+15550100001@switchboard.test>;tag=caller1\r\nTo: <sip:alice@switchboard.test>\r\n"
                       "Call-ID: ring-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 69\r\nContact: <sip:dana@proxy.test;transport=ws>\r\n"
                       "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp});
    REQUIRE(h.s().tone == "ring");
    uint64_t id = h.intent(TestRingerIntent{});
    REQUIRE(h.completion(id));
    REQUIRE(h.completion(id)->error);
    CHECK(h.completion(id)->error->code == "busy");
    CHECK_FALSE(devices_effect(h, DevicesOp::TestRinger));
    // Choosing a microphone during the call is fine: the platform switches the live track.
    id = h.intent(SetDeviceIntent{"input", "default"});
    CHECK_FALSE(h.completion(id)->error);
    REQUIRE(devices_effect(h, DevicesOp::Set));

    h.intent(LogoutIntent{});
    h.reply_ok(json::object());
    CHECK(h.s().audio.known);  // the browser's devices are not the session's
    CHECK(h.s().audio.input == "default");
}
