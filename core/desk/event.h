// desk/event.h: everything that can happen to a desk. The platform feeds these to Desk::handle
// with the current time; nothing else reaches the core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

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
using Event = std::variant<Start, TransportOpened, TransportClosed, FrameReceived, IntentReceived, TimerFired,
                           SipTransportOpened, SipTransportClosed, SipReceived>;

}  // namespace sb::desk
