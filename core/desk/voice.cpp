// desk/voice.cpp: the agent's phone. After login the session's `sip` credentials configure the
// SIP user agent (core/sip/user_agent.h); the desk opens the SIP WebSocket (RFC 7118) beside
// its own, feeds the UA what arrives, sends what it asks, and runs its timers on one platform
// timer (TimerWheel). The transport reconnects with backoff by itself; the UA re-registers on
// every new connection, and calls keep their dialogs across it.
//
// What the UA says about calls goes to calls.cpp.
//
// The audio devices (microphone, speaker, ringer) are chosen here too: intents set_device,
// refresh_devices and test_ringer become the effect Devices, and the platform's report
// (MediaDevices) is DeskState::audio. The list is asked for when this tab gets the phone, when
// the Audio settings open, and the platform reports by itself when the devices change.
#include <algorithm>

#include "desk/desk.h"
#include "desk/state_json.h"

namespace sb::desk {

using nlohmann::json;

namespace {

constexpr const char* kReconnectKey = "desk.sip_reconnect";
constexpr int64_t kReconnectFirstMs = 1000, kReconnectMaxMs = 30000;

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

void Desk::start_voice(const protocol::Session& session, Out& out) {
    if (session.phone == protocol::Session::Phone::None) {
        if (ua_) stop_voice(out);
        return;  // this backend has no telephony: the desk offers no calls
    }
    if (session.phone == protocol::Session::Phone::Refused) {  // what was wrong is logged, never the secrets
        log(out, LogLevel::Warn, "The session's SIP credentials are incomplete; the phone stays off.");
        state_.voice.error = make_error("sip_credentials", "The backend sent incomplete phone credentials.");
        return;
    }
    const protocol::SipCredentials& sip = session.sip;
    if (ua_ && sip_credentials_ == sip) return;  // a resume of the same session: keep calls
    if (ua_) stop_voice(out);
    sip_credentials_ = sip;
    state_.voice = VoiceState{};
    state_.voice.available = true;
    state_.voice.uri = sip.uri;
    state_.voice.ws_url = sip.ws_url;
    ua_ = std::make_unique<sip::UserAgent>();
    sip::ua_event::Configure c;
    c.uri = state_.voice.uri;
    c.username = sip.username;
    c.password = sip.password;
    c.realm = sip.realm;
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
            out.push_back(Devices{DevicesOp::List});  // what the Audio settings will offer
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
    sip_credentials_.reset();
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

// ---- audio devices ---------------------------------------------------------------------------

std::string_view to_string(DevicesOp op) {
    switch (op) {
        case DevicesOp::List: return "list";
        case DevicesOp::Set: return "set";
        case DevicesOp::TestRinger: return "test_ringer";
    }
    return "list";
}

namespace {
constexpr int64_t kRingerTestMs = 2500;  // one burst of the ringtone (2 s on), and a little more

// Is `id` a device of the kind a choice of `kind` needs? ("" and "default" always are.)
bool device_known(const AudioSettings& a, const std::string& kind, const std::string& id) {
    if (id.empty() || id == "default" || !a.known) return true;
    const std::string want = kind == "input" ? "input" : "output";  // the ringer is a speaker
    return std::any_of(a.devices.begin(), a.devices.end(),
                       [&](const AudioDevice& d) { return d.kind == want && d.id == id; });
}
}  // namespace

bool Desk::on_device_intent(const IntentReceived& e, Out& out) {
    if (const auto* in = std::get_if<SetDeviceIntent>(&e.intent)) {
        if (!device_known(state_.audio, in->kind, in->id))
            complete(out, e.id, make_error("unknown_device", "There is no such " +
                                                                 std::string(in->kind == "input" ? "microphone" : "speaker") +
                                                                 " (it may have been unplugged)."));
        else {
            std::string& choice = in->kind == "input" ? state_.audio.input
                                  : in->kind == "output" ? state_.audio.output : state_.audio.ringer;
            choice = in->id;  // shown at once; the platform's next report confirms it
            state_.audio.error.clear();
            out.push_back(Devices{DevicesOp::Set, in->kind, in->id});
            out.push_back(Notify{"voice.devices", devices_json(state_.audio)});
            complete(out, e.id, json{{"kind", in->kind}, {"id", in->id}});
        }
        return true;
    }
    if (const auto* in = std::get_if<RefreshDevicesIntent>(&e.intent)) {
        Devices d{DevicesOp::List};
        d.probe = in->probe;
        out.push_back(d);
        complete(out, e.id, json::object());
        return true;
    }
    if (std::holds_alternative<TestRingerIntent>(e.intent)) {
        if (!state_.tone.empty())
            complete(out, e.id, make_error("busy", "A call is ringing: the ringer is in use."));
        else {
            Devices d{DevicesOp::TestRinger};
            d.ms = kRingerTestMs;
            out.push_back(d);
            complete(out, e.id, json{{"ms", kRingerTestMs}});
        }
        return true;
    }
    return false;
}

void Desk::on_media_devices(const MediaDevices& e, Out& out) {
    AudioSettings a;
    a.known = true;
    for (const auto& d : e.devices)
        if (d.kind == "input" || d.kind == "output") a.devices.push_back(d);
    a.input = e.input;
    a.output = e.output;
    a.ringer = e.ringer;
    a.microphone = e.microphone.empty() ? "prompt" : e.microphone;
    a.error = e.error;
    bool same = state_.audio.known && a.devices == state_.audio.devices && a.input == state_.audio.input &&
                a.output == state_.audio.output && a.ringer == state_.audio.ringer &&
                a.microphone == state_.audio.microphone && a.error == state_.audio.error;
    state_.audio = std::move(a);
    if (!same) out.push_back(Notify{"voice.devices", devices_json(state_.audio)});
}

}  // namespace sb::desk
