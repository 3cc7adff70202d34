// The desk's phone (core/desk/voice.cpp): the session's SIP credentials configure the user
// agent, the SIP WebSocket opens beside the desk's, REGISTER answers a digest challenge, the
// registration shows in state(), a lost transport comes back with backoff and registers again,
// logout closes it, and the credentials never reach state() or a log.
#include "desk_harness.h"
#include "desk/state_json.h"
#include "sip/digest.h"
#include "sip/message.h"
#include "sip/transaction.h"

using namespace sb::test;

namespace {

const json kSip = {{"uri", "sip:alice@switchboard.test"}, {"username", "alice.0a1b2c3d4e5f"},
                   {"password", "pw-Secret-42-xyz"}, {"realm", "switchboard.test"}, {"ws_url", "ws://127.0.0.1:5066"}};

void login_with_sip(DeskHarness& h, json sip = kSip) {
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session();
    if (!sip.is_null()) s["sip"] = sip;
    h.reply_ok(s);
    REQUIRE(h.s().session == SessionState::LoggedIn);
}

std::vector<std::string> sip_sent(const std::vector<Effect>& effects) {
    std::vector<std::string> out;
    for (const auto& e : effects)
        if (auto* s = std::get_if<SendSip>(&e)) out.push_back(s->text);
    return out;
}

sb::sip::Message parsed(const std::string& text) {
    auto m = sb::sip::parse_message(text);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
    return m.value();
}

// The registrar's answer to `request`, as text.
std::string answer(const sb::sip::Message& request, int status, const std::string& reason,
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto r = sb::sip::make_response(request, status, reason, "reg-tag");
    REQUIRE(r.ok());
    sb::sip::Message m = r.value();
    for (const auto& [n, v] : headers) REQUIRE(m.add_header(n, v).ok());
    return m.serialize();
}

// The platform's TimerId::Sip, as a platform keeps it: the latest StartTimer wins, a
// CancelTimer stops it.
struct SipClock {
    std::optional<int64_t> deadline;
    void saw(const DeskHarness& h) {
        for (const auto& e : h.effects) {
            if (auto* t = std::get_if<StartTimer>(&e); t && t->timer == TimerId::Sip) deadline = h.now + t->delay_ms;
            if (auto* c = std::get_if<CancelTimer>(&e); c && c->timer == TimerId::Sip) deadline.reset();
        }
    }
};

// Runs the TimerId::Sip deadline: advances the clock to it and fires it.
void fire_sip_timer(DeskHarness& h, SipClock& clock) {
    REQUIRE(clock.deadline);
    h.now = std::max(h.now, *clock.deadline);
    clock.deadline.reset();
    h.step(TimerFired{TimerId::Sip});
    clock.saw(h);
}
void fire_sip_timer(DeskHarness& h) {
    SipClock clock;
    clock.saw(h);
    fire_sip_timer(h, clock);
}

std::string state_text(DeskHarness& h) { return sb::desk::state_to_json(h.s(), h.now).dump(); }

}  // namespace

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

TEST_CASE("voice: until the desk takes calls, an incoming call is declined with 486, not left ringing") {
    DeskHarness h;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    std::string invite =
        "INVITE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n"
        "Via: SIP/2.0/WS proxy.test;branch=z9hG4bKcall1\r\n"
        "From: \"Dana\" <sip:+15550100001@switchboard.test>;tag=caller1\r\n"
        "To: <sip:alice@switchboard.test>\r\n"
        "Call-ID: incoming-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 69\r\n"
        "Contact: <sip:dana@proxy.test;transport=ws>\r\n"
        "Content-Type: application/sdp\r\n"
        "Content-Length: 0\r\n\r\n";
    h.step(SipReceived{invite});
    bool declined = false;
    for (auto& t : sip_sent(h.effects))
        if (t.rfind("SIP/2.0 486", 0) == 0) declined = true;
    CHECK(declined);
}
