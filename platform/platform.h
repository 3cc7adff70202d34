// platform/platform.h: the one interface between the pure core and the world.
//
// A Platform performs the core's effects (sockets, timers, storage, the embedding page) and
// tells the time. One implementation per platform, chosen by CMake: web/platform_web.cpp in the
// browser, native/platform_native.cpp for the native shell, bots and tools. No #ifdef leaks past
// this line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "desk/effect.h"

namespace sb::platform {

class Platform {
public:
    virtual ~Platform() = default;

    virtual int64_t now_ms() = 0;  // wall clock, ms since the Unix epoch

    virtual void open_transport(const std::string& url) = 0;  // then TransportOpened / TransportClosed
    virtual void close_transport() = 0;                       // no TransportClosed follows
    virtual void send_frame(const std::string& text) = 0;

    virtual void start_timer(desk::TimerId timer, int64_t delay_ms) = 0;  // then TimerFired
    virtual void cancel_timer(desk::TimerId timer) = 0;

    virtual void persist(const std::string& key, const std::optional<std::string>& value) = 0;
    virtual std::optional<std::string> load(const std::string& key) = 0;

    // The reply to an intent: {ok: true, ...result} or {ok: false, error: {code, message}}.
    virtual void complete_intent(uint64_t id, const nlohmann::json& reply) = 0;
    virtual void notify(const std::string& event, const nlohmann::json& data) = 0;
    // Whether anything listens to `event`: the runtime skips building what nobody reads.
    virtual bool listens(const std::string& event) const { return true; }
    virtual void log(desk::LogLevel level, const std::string& message) = 0;

    // Something visible changed: draw a frame soon (the UI draws only on demand).
    virtual void request_redraw() = 0;

    // Voice: the SIP WebSocket (then SipTransportOpened / SipTransportClosed / SipReceived).
    virtual void open_sip(const std::string& url) = 0;
    virtual void close_sip() = 0;  // no SipTransportClosed follows
    virtual void send_sip(const std::string& text) = 0;

    // Voice: a call's media and the ringtone (desk/effect.h, Media; outcomes as MediaEvent).
    virtual void media(const desk::Media& command) = 0;
    // One tab per agent holds the phone: then PhoneOwnership (and Taken / Free later).
    virtual void claim_phone(const std::string& agent, bool take_over) = 0;
    virtual void release_phone() = 0;
    // Voice: the audio devices (desk/effect.h, Devices): list, choose, test the ringer; then
    // MediaDevices (also whenever the devices change by themselves: a headset plugged in).
    virtual void devices(const desk::Devices& command) = 0;
};

}  // namespace sb::platform
