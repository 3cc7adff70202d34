// desk/voice.cpp: the agent's phone. After login the session's `sip` credentials configure the
// SIP user agent (core/sip/user_agent.h); the desk opens the SIP WebSocket (RFC 7118) beside
// its own, feeds the UA what arrives, sends what it asks, and runs its timers on one platform
// timer (TimerWheel). The transport reconnects with backoff by itself; the UA re-registers on
// every new connection, and calls keep their dialogs across it.
//
// Calls are the next step (issue 4): until the desk offers them, an incoming call is declined
// with 486 Busy Here, so that a caller is not left ringing.
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
    open_sip(out);
}

void Desk::stop_voice(Out& out) {
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
        } else if (auto* e = std::get_if<sip::ua_effect::Incoming>(&effect)) {
            log(out, LogLevel::Info, "A call came in; this desk does not take calls yet: declined (486).");
            to_ua(sip::ua_event::Reject{e->call, 486}, out);
        } else if (auto* e = std::get_if<sip::ua_effect::Discarded>(&effect)) {
            log(out, LogLevel::Debug, "SIP: " + e->reason.message);
        } else if (auto* e = std::get_if<sip::ua_effect::Refused>(&effect)) {
            log(out, LogLevel::Warn, "SIP: " + e->reason.message);
        }
    }
    if (timers_changed) arm_sip_timer(out);
}

}  // namespace sb::desk
