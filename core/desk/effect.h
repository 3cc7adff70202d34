// desk/effect.h: everything a desk asks its platform to do. Desk::handle returns these; the
// platform (web/ in the browser, native/ for tests, bots and the native shell) performs them in
// order and feeds the outcomes back as Events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "desk/event.h"
#include "util/result.h"

namespace sb::desk {

struct OpenTransport {
    std::string url;
};
struct CloseTransport {};
struct SendFrame {
    std::string text;
};
struct StartTimer {  // replaces a running timer of the same id
    TimerId timer;
    int64_t delay_ms;
};
struct CancelTimer {
    TimerId timer;
};
struct CompleteIntent {
    uint64_t id;
    std::optional<Error> error;  // none: success
    nlohmann::json result;       // object, on success
};
struct Notify {  // for JS API listeners: "agent.state", "connection", "session", "state"
    std::string event;
    nlohmann::json data;
};
struct Persist {  // per-tab storage that survives a reload; no value: erase
    std::string key;
    std::optional<std::string> value;
};
enum class LogLevel { Debug, Info, Warn, Error };
struct Log {
    LogLevel level;
    std::string message;
};

// The SIP WebSocket: then SipTransportOpened / SipTransportClosed; SipReceived per message.
struct OpenSipTransport {
    std::string url;  // ws:// or wss://, subprotocol "sip"
};
struct CloseSipTransport {};  // no SipTransportClosed follows
struct SendSip {
    std::string text;
};
using Effect = std::variant<OpenTransport, CloseTransport, SendFrame, StartTimer, CancelTimer, CompleteIntent,
                            Notify, Persist, Log, OpenSipTransport, CloseSipTransport, SendSip>;

}  // namespace sb::desk
