// desk/desk.cpp: Desk::handle, the one way in. Each event kind goes to its handler in
// connection.cpp (transport, hello, heartbeat, reconnect) or session.cpp (login, resume,
// presence, logout, server events).
#include "desk/desk.h"

#include <exception>

namespace sb::desk {

namespace {
template <class... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;
}  // namespace

std::vector<Effect> Desk::handle(int64_t now_ms, const Event& event) {
    now_ = now_ms;
    Out out;
    out.reserve(4);  // most events have two or three effects: one allocation, not two or three
    // The boundary, and only that: nothing in the core throws by design (backend frames are
    // decoded by core/protocol without exceptions; the unit tests feed every field of every
    // frame in every wrong type and fail on this log). Should a bug throw anyway, a throw must
    // not leave the web app (in wasm it aborts the page, mid-call): the event is dropped, what
    // it had already done stays (the effects so far are still performed), and the log says so.
    try {
        dispatch(event, out);
    } catch (const std::exception& e) {
        log(out, LogLevel::Error, std::string(kHandlerFailed) + e.what());
    } catch (...) {
        log(out, LogLevel::Error, std::string(kHandlerFailed) + "unknown exception");
    }
    return out;
}

void Desk::dispatch(const Event& event, Out& out) {
    std::visit(overloaded{
                   [&](const Start& e) { on_start(e, out); },
                   [&](const TransportOpened&) { on_transport_opened(out); },
                   [&](const TransportClosed& e) { on_transport_closed(e.reason, out); },
                   [&](const FrameReceived& e) { on_frame(e.text, out); },
                   [&](const IntentReceived& e) { if (!on_device_intent(e, out)) on_intent(e, out); },
                   [&](const TimerFired& e) { on_timer(e.timer, out); },
                   [&](const SipTransportOpened&) { on_voice(event, out); },
                   [&](const SipTransportClosed&) { on_voice(event, out); },
                   [&](const SipReceived&) { on_voice(event, out); },
                   [&](const MediaEvent& e) { on_media(e, out); },
                   [&](const PhoneOwnership& e) { on_phone_ownership(e, out); },
                   [&](const MediaDevices& e) { on_media_devices(e, out); },
               },
               event);
}

void complete(std::vector<Effect>& out, uint64_t intent, const Error& e) {
    out.push_back(CompleteIntent{intent, e, nlohmann::json::object()});
}

void complete(std::vector<Effect>& out, uint64_t intent, nlohmann::json result) {
    out.push_back(CompleteIntent{intent, std::nullopt, std::move(result)});
}

void complete(std::vector<Effect>& out, uint64_t intent, std::shared_ptr<const protocol::JsonDoc> reply) {
    out.push_back(CompleteIntent{intent, std::nullopt, nullptr, std::move(reply)});
}

void log(std::vector<Effect>& out, LogLevel level, std::string message) {
    out.push_back(Log{level, std::move(message)});
}

uint64_t Desk::next_random() {
    state_.rng ^= state_.rng << 13;
    state_.rng ^= state_.rng >> 7;
    state_.rng ^= state_.rng << 17;
    return state_.rng;
}

}  // namespace sb::desk
