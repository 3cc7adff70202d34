// desk/voice.cpp: the agent's phone. After login the session's `sip` credentials configure the
// SIP user agent (core/sip/user_agent.h); the desk opens the SIP WebSocket (RFC 7118) beside
// its own, feeds the UA what arrives, sends what it asks, and runs its timers on one platform
// timer (TimerWheel). The transport reconnects with backoff by itself; the UA re-registers on
// every new connection, and calls keep their dialogs across it.
//
// What the UA says about calls goes to calls.cpp.
#include "desk/desk.h"

namespace sb::desk {

using nlohmann::json;

namespace {

constexpr const char* kReconnectKey = "desk.sip_reconnect";
constexpr int64_t kReconnectFirstMs = 1000, kReconnectMaxMs = 30000;

bool valid_credentials(const json& sip) {
    if (!sip.is_object()) return false;
    for (const char* k : {"uri", "username", "password", "ws_url"})
        if (!sip.contains(k) || !sip[k].is_string() || sip[k].get_ref<const std::string&>().empty()) return false;
    const std::string& url = sip["ws_url"].get_ref<const std::string&>();
    return url.rfind("ws://", 0) == 0 || url.rfind("wss://", 0) == 0;
}

}  // namespace

std::string_view to_string(SipTransportState s) {
    switch (s) {
        case SipTransportState::Closed: return "closed";
        case SipTransportState::Connecting: return "connecting";
        case SipTransportState::Open: return "open";
        case SipTransportState::WaitingToReconnect: return "waiting_to_reconnect";
    }
    return "closed";
}

void Desk::start_voice(const json& sip, Out& out) {
    if (sip.is_null()) {
        if (ua_) stop_voice(out);
        return;  // this backend has no telephony: the desk offers no calls
    }
    if (!valid_credentials(sip)) {
        log(out, LogLevel::Warn, "The session's SIP credentials are incomplete; the phone stays off.");
        state_.voice.error = make_error("sip_credentials", "The backend sent incomplete phone credentials.");
        return;
    }
    std::string fingerprint = sip.dump();
    if (ua_ && fingerprint == sip_credentials_) return;  // a resume of the same session: keep calls
    if (ua_) stop_voice(out);
    sip_credentials_ = std::move(fingerprint);
    state_.voice = VoiceState{};
    state_.voice.available = true;
    state_.voice.uri = sip["uri"].get<std::string>();
    state_.voice.ws_url = sip["ws_url"].get<std::string>();
    ua_ = std::make_unique<sip::UserAgent>();
    sip::ua_event::Configure c;
    c.uri = state_.voice.uri;
    c.username = sip["username"].get<std::string>();
    c.password = sip["password"].get<std::string>();
    c.realm = sip.value("realm", std::string());
    c.display_name = state_.agent ? state_.agent->display_name : std::string();
    c.seed = next_random();
    c.secure = state_.voice.ws_url.rfind("wss://", 0) == 0;
    to_ua(c, out);
    // The SIP WebSocket opens once this tab holds the phone (on_phone_ownership).
    state_.voice.owner = PhoneOwner::Claiming;
    out.push_back(ClaimPhone{state_.agent ? state_.agent->username : std::string(), false});
}

std::string_view to_string(PhoneOwner o) {
    switch (o) {
        case PhoneOwner::Unclaimed: return "unclaimed";
        case PhoneOwner::Claiming: return "claiming";
        case PhoneOwner::Here: return "here";
        case PhoneOwner::OtherTab: return "other_tab";
    }
    return "unclaimed";
}

void Desk::on_phone_ownership(const PhoneOwnership& e, Out& out) {
    if (!ua_) return;  // the phone was stopped meanwhile
    using K = PhoneOwnership::Kind;
    switch (e.kind) {
        case K::Granted:
            if (state_.voice.owner != PhoneOwner::Claiming) return;
            state_.voice.owner = PhoneOwner::Here;
            state_.voice.error.reset();
            open_sip(out);
            break;
        case K::Busy:
            if (state_.voice.owner != PhoneOwner::Claiming) return;
            state_.voice.owner = PhoneOwner::OtherTab;
            state_.voice.error = make_error("phone_in_other_tab", "Your phone is open in another tab. Take it over to take calls here.");
            break;
        case K::Taken:
            if (state_.voice.owner != PhoneOwner::Here) return;
            drop_all_calls(out);
            if (state_.voice.transport == SipTransportState::Open || state_.voice.transport == SipTransportState::Connecting)
                out.push_back(CloseSipTransport{});
            sip_timers_.cancel(kReconnectKey);
            to_ua(sip::ua_event::TransportDown{}, out);
            state_.voice.transport = SipTransportState::Closed;
            state_.voice.registration = sip::RegistrationState::unregistered;
            state_.voice.owner = PhoneOwner::OtherTab;
            state_.voice.error = make_error("phone_in_other_tab", "Another tab took over your phone.");
            arm_sip_timer(out);
            break;
        case K::Free:
            if (state_.voice.owner != PhoneOwner::OtherTab) return;
            state_.voice.owner = PhoneOwner::Claiming;
            out.push_back(ClaimPhone{state_.agent ? state_.agent->username : std::string(), false});
            break;
    }
    out.push_back(Notify{"voice.owner", json{{"owner", std::string(to_string(state_.voice.owner))}}});
}

void Desk::take_phone(uint64_t intent, Out& out) {
    if (!ua_) return complete(out, intent, make_error("no_phone", "This desk has no phone."));
    if (state_.voice.owner == PhoneOwner::Here) return complete(out, intent, json{{"owner", "here"}});
    state_.voice.owner = PhoneOwner::Claiming;
    out.push_back(ClaimPhone{state_.agent ? state_.agent->username : std::string(), true});
    complete(out, intent, json{{"owner", "claiming"}});
}

void Desk::stop_voice(Out& out) {
    drop_all_calls(out);
    if (state_.voice.owner == PhoneOwner::Here || state_.voice.owner == PhoneOwner::Claiming)
        out.push_back(ReleasePhone{});
    if (state_.voice.transport != SipTransportState::Closed && state_.voice.transport != SipTransportState::WaitingToReconnect)
        out.push_back(CloseSipTransport{});
    ua_.reset();
    sip_timers_.clear();
    sip_credentials_.clear();
    out.push_back(CancelTimer{TimerId::Sip});
    state_.voice = VoiceState{};
}

void Desk::open_sip(Out& out) {
    state_.voice.transport = SipTransportState::Connecting;
    out.push_back(OpenSipTransport{state_.voice.ws_url});
}

void Desk::on_voice(const Event& event, Out& out) {
    if (!ua_) return;  // no phone (or it was stopped): late news of an old transport
    if (std::holds_alternative<SipTransportOpened>(event)) {
        state_.voice.transport = SipTransportState::Open;
        state_.voice.reconnect_attempt = 0;
        to_ua(sip::ua_event::TransportUp{}, out);
    } else if (auto* closed = std::get_if<SipTransportClosed>(&event)) {
        sip_lost(closed->reason, out);
    } else if (auto* received = std::get_if<SipReceived>(&event)) {
        to_ua(sip::ua_event::Received{received->text}, out);
    }
}

void Desk::sip_lost(const std::string& reason, Out& out) {
    state_.voice.transport = SipTransportState::WaitingToReconnect;
    state_.voice.error = make_error("sip_transport", "The phone lost its connection: " + reason);
    to_ua(sip::ua_event::TransportDown{}, out);
    int64_t delay = kReconnectFirstMs << std::min(state_.voice.reconnect_attempt, 5);
    delay = std::min(delay, kReconnectMaxMs);
    delay = delay / 2 + static_cast<int64_t>(next_random() % static_cast<uint64_t>(delay / 2 + 1));  // jitter
    state_.voice.reconnect_attempt++;
    sip_timers_.start(now_, kReconnectKey, delay);
    arm_sip_timer(out);
}

void Desk::on_sip_timer(Out& out) {
    for (const std::string& key : sip_timers_.take_due(now_)) {
        if (!ua_) break;
        if (key == kReconnectKey) {
            open_sip(out);
            continue;
        }
        to_ua(sip::ua_event::TimerFired{key}, out);
    }
    arm_sip_timer(out);
}

void Desk::arm_sip_timer(Out& out) {
    if (auto delay = sip_timers_.next_delay(now_)) out.push_back(StartTimer{TimerId::Sip, *delay});
    else out.push_back(CancelTimer{TimerId::Sip});
}

// Hands one event to the UA and carries out what it asks.
void Desk::to_ua(const sip::UaEvent& event, Out& out) {
    if (!ua_) return;
    bool timers_changed = false;
    for (const sip::UaEffect& effect : ua_->handle(now_, event)) {
        if (auto* e = std::get_if<sip::ua_effect::Send>(&effect)) {
            out.push_back(SendSip{e->text});
        } else if (std::holds_alternative<sip::ua_effect::SendKeepalive>(effect)) {
            out.push_back(SendSip{"\r\n\r\n"});
        } else if (auto* e = std::get_if<sip::ua_effect::StartTimer>(&effect)) {
            sip_timers_.start(now_, e->key, e->delay_ms);
            timers_changed = true;
        } else if (auto* e = std::get_if<sip::ua_effect::CancelTimer>(&effect)) {
            sip_timers_.cancel(e->key);
            timers_changed = true;
        } else if (auto* e = std::get_if<sip::ua_effect::RegistrationChanged>(&effect)) {
            state_.voice.registration = e->state;
            if (e->state == sip::RegistrationState::registered) state_.voice.error.reset();
            if (e->reason) state_.voice.error = e->reason;
            out.push_back(Notify{"voice", json{{"registration", std::string(sip::to_string(e->state))}}});
        } else if (auto* e = std::get_if<sip::ua_effect::Discarded>(&effect)) {
            log(out, LogLevel::Debug, "SIP: " + e->reason.message);
        } else {
            if (auto* e = std::get_if<sip::ua_effect::Refused>(&effect)) log(out, LogLevel::Warn, "SIP: " + e->reason.message);
            on_ua_call(effect, out);  // calls.cpp
        }
    }
    if (timers_changed) arm_sip_timer(out);
}

}  // namespace sb::desk
