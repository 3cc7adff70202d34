// platform/recording.h: a desk session recorded as it runs, and replayed.
//
// The Runtime hands the Recorder each event it feeds the desk, with the time it fed it; the core
// is pure, so those events replay through a fresh Desk to the same state (switchboard-replay,
// tools/replay). The log is JSON Lines (docs/support-log.md):
//   {"switchboard_log": 1, "build": ..., "config": {...}, "redacted": "..."}      the header
//   {"t": ms, "event": {...}}                                                      one per event
//   {"end": true, "at": ms, "events": n, "truncated": false, "state": {...}}        at export
// Before an event is written, what the agent must never hand over is taken out (redact): their
// password, one-time and recovery codes, the caller's verification answers, session tokens,
// second-factor secrets, SIP and ICE passwords, and a card's digits but the first six and last
// four (what PCI DSS lets a receipt show). A card number in what people wrote (a message, a
// draft, notes) is masked as the server masks stored messages ("•••• 1111"). Each is replaced by a value the desk judges the same
// way (as long, the same kinds of characters, a card as valid by Luhn), so the replay takes the
// same path; the server's replies, which are recorded, decide the rest. The end line's state is
// redacted the same way, so a replay's state compares equal to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "desk/desk.h"
#include "util/result.h"

namespace sb::platform {

inline constexpr int kLogVersion = 1;

// ---- redaction ----------------------------------------------------------------------------------
desk::Event redact(const desk::Event& event);
// Every member named password, token, secret, otpauth, challenge, recovery_codes, card_number or
// cvc, at any depth: non-empty strings become "[redacted]" (arrays of them, element by element);
// and card numbers in members named text, notes or note are masked.
nlohmann::json redact_json(nlohmann::json j);
// Digits but the first six and last four become 0s, one of them then chosen so that the number
// passes the Luhn check exactly when the original did; other characters stay. Under 13 digits
// (too short for any card), every digit becomes 0.
std::string redact_card_number(std::string_view number);
// Letters become x and digits 0; spaces and punctuation stay (a code's format survives).
std::string redact_code(std::string_view code);
// SDP's a=ice-pwd values (in a SIP message or a browser's offer) become x's, as long.
std::string redact_sdp(std::string text);

// ---- recording ----------------------------------------------------------------------------------
class Recorder {
public:
    // Past max_bytes of events the recording stops (the end line says truncated): memory stays
    // bounded through a long shift, and what was recorded still replays.
    explicit Recorder(std::string build, desk::DeskConfig config = {}, size_t max_bytes = 8u << 20);

    void record(int64_t now_ms, const desk::Event& event);
    // The whole log, ending with the state as it stood after the last event (redacted).
    std::string log(const desk::DeskState& state) const;

    size_t events() const { return events_; }
    bool truncated() const { return truncated_; }

private:
    std::string header_, lines_;
    size_t max_bytes_;
    size_t events_ = 0;
    bool truncated_ = false;
    int64_t last_ms_ = 0;
};

// ---- replay -------------------------------------------------------------------------------------
struct Replay {
    size_t events = 0;
    int64_t at = 0;                 // the last event's time
    bool truncated = false;         // the log says it stopped early: its end state is not reachable
    nlohmann::json state;           // the replayed desk's state at `at`, redacted like the log's
    nlohmann::json recorded_state;  // the end line's state (null when the log has no end line)
};
// Each event as it is replayed, with the effects the desk answered it with.
using ReplayStep = std::function<void(int64_t t, const desk::Event&, const std::vector<desk::Effect>&)>;

// Errors: bad_log, naming the line.
Result<Replay> replay(std::string_view log, const ReplayStep& step = {});

// Where two JSON values first differ ("/contacts/0/state: \"active\" != \"wrap_up\""), or nothing.
std::optional<std::string> first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& path = "");

}  // namespace sb::platform
