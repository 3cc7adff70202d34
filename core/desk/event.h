// desk/event.h: everything that can happen to a desk. The platform feeds these to Desk::handle
// with the current time; nothing else reaches the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "desk/intent.h"

namespace sb::desk {

// Sip multiplexes every SIP timer (core/sip names them by key) on one platform timer, set for
// the earliest deadline (desk/timer_wheel.h).
enum class TimerId { Reconnect, Heartbeat, RequestDeadline, LoginWait, Sip };

// A session the platform kept across a page reload (see Persist, key "session").
struct StoredSession {
    std::string token;
    int64_t last_seq = 0;
    std::string username;
};

struct Start {
    std::string backend_url;              // ws://host:port/desk
    uint64_t seed = 0;                    // randomness for reconnect jitter and message ids
    std::optional<StoredSession> stored;  // resume this session once connected
    std::string stored_drafts;            // what Persist{"drafts"} last wrote, or empty
};
struct TransportOpened {};
struct TransportClosed {
    std::string reason;
};
struct FrameReceived {
    std::string text;
};
struct IntentReceived {
    uint64_t id;  // the platform's handle for the reply (CompleteIntent)
    Intent intent;
};
struct TimerFired {
    TimerId timer;
};

// The SIP WebSocket (RFC 7118, subprotocol "sip") to the telephony server, beside the desk's.
struct SipTransportOpened {};
struct SipTransportClosed {
    std::string reason;
};
struct SipReceived {
    std::string text;  // one WebSocket message: one SIP message, or a CRLF keepalive pong
};

// What a call's media (effect Media) reports.
struct MediaEvent {
    enum class Kind { LocalSdp, Failed, Stats, DtmfFallback };
    Kind kind = Kind::LocalSdp;
    uint32_t call = 0;
    std::string sdp;       // LocalSdp: our offer or answer, candidates included
    std::string reason;    // Failed: for people ("Microphone permission was refused.")
    nlohmann::json stats;  // Stats: {rtt_ms, jitter_ms, loss_pct, mos, bytes_in, bytes_out, codec...}
    std::string digits;    // DtmfFallback: the digits to send by SIP INFO instead
};
// The phone's lock (effect ClaimPhone): granted here, held by another tab of this agent, taken
// from this tab by another, or released by the tab that had it.
struct PhoneOwnership {
    enum class Kind { Granted, Busy, Taken, Free };
    Kind kind = Kind::Granted;
};
// The audio devices the platform can use (effect Devices): what there is, what is chosen (""
// is the system default), and whether the page may use the microphone.
struct AudioDevice {
    std::string kind;   // "input" (microphone) or "output" (speaker; the ringer is one too)
    std::string id, label;
    friend bool operator==(const AudioDevice&, const AudioDevice&) = default;
};
struct MediaDevices {
    std::vector<AudioDevice> devices;
    std::string input, output, ringer;  // the choices, remembered per browser
    std::string microphone;             // permission: "granted", "denied", "prompt", "unavailable"
    std::string error;                  // for people: why a choice could not be applied, or empty
};
using Event = std::variant<Start, TransportOpened, TransportClosed, FrameReceived, IntentReceived, TimerFired,
                           SipTransportOpened, SipTransportClosed, SipReceived, MediaEvent, PhoneOwnership, MediaDevices>;

}  // namespace sb::desk
