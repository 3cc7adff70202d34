// desk/effect.h: everything a desk asks its platform to do. Desk::handle returns these; the
// platform (web/ in the browser, native/ for tests, bots and the native shell) performs them in
// order and feeds the outcomes back as Events.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "desk/event.h"
#include "protocol/json_doc.h"
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
    nlohmann::json result;       // object, on success (null when `reply` holds it)
    // Instead of `result`: the backend's reply as it came (a sent message's), turned into
    // nlohmann's form only by whoever reads it (result_value()). Most completions are read by
    // no one on the hot path (a replay, a load bot), and building the tree was a tenth of
    // what each message cost.
    std::shared_ptr<const protocol::JsonDoc> reply;

    // The result, whichever way it is held: what the platform, recordings and tests read.
    nlohmann::json result_value() const { return reply ? protocol::to_nlohmann(reply->root()) : result; }
};
struct Notify {  // for JS API listeners: "agent.state", "connection", "session", "state"
    std::string event;
    nlohmann::json data;
    // Set instead of `data` for a contact's news: listeners get that contact as it stands once
    // the event is handled (contact::to_json), built by the runtime only if anyone listens.
    // Building a contact with its whole transcript for each message would make every message
    // cost as much as the transcript, listened to or not.
    std::string contact;
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

// One tab per agent holds the phone (the microphone and the registration): the platform's lock
// (Web Locks in the browser; natively always granted). Then PhoneOwnership.
struct ClaimPhone {
    std::string agent;
    bool take_over = false;  // take it from the tab that has it (that tab gets PhoneOwnership Taken)
};
struct ReleasePhone {};

// A call's media: in the browser web/media.js (one RTCPeerConnection per call, tones by Web
// Audio); natively a placeholder SDP without RTP, so that bots and tests can hold calls. `call`
// is the desk's call id (desk::Call::id). Outcomes come back as MediaEvent.
enum class MediaOp {
    Start,         // open the microphone and a peer connection; answer `sdp` (an offer) or, if it
                   // is empty, make an offer: then MediaEvent LocalSdp (or Failed)
    RemoteAnswer,  // the far end's answer to our offer (`sdp`; also a 183's early media)
    Mute,          // `on`: the microphone track sends silence; nothing is renegotiated
    Hold,          // `on`: held (no microphone, no playback); off: back
    Dtmf,          // `digits` in-band (RFC 4733); MediaEvent DtmfFallback if it cannot
    Stop,          // close the call's media
    Tone,          // `tone`: "ring" (on the ringer device), "ringback", or "" for silence
};
struct Media {
    MediaOp op = MediaOp::Start;
    uint32_t call = 0;
    std::string sdp;
    bool on = false;
    std::string digits;
    std::string tone;
};
std::string_view to_string(MediaOp op);

// The audio devices (microphone, speaker, ringer): in the browser web/media.js (enumerateDevices,
// getUserMedia, setSinkId; choices in localStorage); natively there are none. List (and Set,
// after applying the choice to live calls and the ringtone) answer with MediaDevices.
enum class DevicesOp {
    List,        // report the devices; `probe`: ask for the microphone first, so labels show
    Set,         // choose `id` ("" = the system default) for `kind`: input, output or ringer
    TestRinger,  // play the ringtone on the ringer device for `ms`
};
struct Devices {
    DevicesOp op = DevicesOp::List;
    std::string kind, id;
    bool probe = false;
    int64_t ms = 0;
};
std::string_view to_string(DevicesOp op);

using Effect = std::variant<OpenTransport, CloseTransport, SendFrame, StartTimer, CancelTimer, CompleteIntent,
                            Notify, Persist, Log, OpenSipTransport, CloseSipTransport, SendSip, Media, ClaimPhone, ReleasePhone,
                            Devices>;

}  // namespace sb::desk
