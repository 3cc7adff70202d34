// tests/unit/desk_voice_harness.h: a logged-in desk with a phone, and the registrar's side of
// SIP: what the desk sent, parsed; answers to it; the multiplexed SIP timer run by hand.
#pragma once

#include "desk_harness.h"
#include "desk/state_json.h"
#include "sip/digest.h"
#include "sip/message.h"
#include "sip/transaction.h"

namespace sb::test {

inline const json kSip = {{"uri", "sip:alice@switchboard.test"}, {"username", "alice.0a1b2c3d4e5f"},
                   {"password", "pw-Secret-42-xyz"}, {"realm", "switchboard.test"}, {"ws_url", "ws://127.0.0.1:5066"}};

inline void login_with_sip(DeskHarness& h, json sip = kSip) {
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session();
    if (!sip.is_null()) s["sip"] = sip;
    h.reply_ok(s);
    REQUIRE(h.s().session == SessionState::LoggedIn);
    if (!sip.is_null() && h.s().voice.owner == PhoneOwner::Claiming) {
        REQUIRE(h.find<ClaimPhone>());
        h.step(PhoneOwnership{PhoneOwnership::Kind::Granted});  // this tab holds the phone
    }
}

inline std::vector<std::string> sip_sent(const std::vector<Effect>& effects) {
    std::vector<std::string> out;
    for (const auto& e : effects)
        if (auto* s = std::get_if<SendSip>(&e)) out.push_back(s->text);
    return out;
}

inline sb::sip::Message parsed(const std::string& text) {
    auto m = sb::sip::parse_message(text);
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
    return m.value();
}

// The registrar's answer to `request`, as text.
inline std::string answer(const sb::sip::Message& request, int status, const std::string& reason,
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
inline void fire_sip_timer(DeskHarness& h, SipClock& clock) {
    REQUIRE(clock.deadline);
    h.now = std::max(h.now, *clock.deadline);
    clock.deadline.reset();
    h.step(TimerFired{TimerId::Sip});
    clock.saw(h);
}
inline void fire_sip_timer(DeskHarness& h) {
    SipClock clock;
    clock.saw(h);
    fire_sip_timer(h, clock);
}

inline std::string state_text(DeskHarness& h) { return sb::desk::state_to_json(h.s(), h.now).dump(); }

}  // namespace sb::test
