// platform/runtime.h: a Desk and a Platform, joined. Feeds events in (with the platform's
// clock), performs the effects that come out, and numbers intents for their replies.
// Used by every binary that runs a desk: the web app, the native shell, switchboard-bot.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include <nlohmann/json.hpp>

#include "desk/desk.h"
#include "platform/platform.h"
#include "platform/recording.h"

namespace sb::platform {

class Runtime {
public:
    Runtime(Platform& platform, desk::DeskConfig config = {}) : platform_(platform), config_(config), desk_(config) {}

    // Starts the desk against `backend_url`, resuming the session the platform stored, if any.
    void start(const std::string& backend_url, uint64_t seed);

    void feed(const desk::Event& event);

    // Returns the id that complete_intent will carry.
    uint64_t dispatch(desk::Intent intent);
    // The JS API's form; a malformed intent is completed at once with its error.
    uint64_t dispatch_json(const nlohmann::json& intent);

    // Records every event from here on (call before start for a log that replays from the
    // beginning); `build` names this build in the log's header.
    void record(const std::string& build, size_t max_bytes = 8u << 20);
    // The recording so far (platform/recording.h), or nothing when not recording.
    std::optional<std::string> support_log() const;

    const desk::DeskState& state() const { return desk_.state(); }
    int64_t now_ms() { return platform_.now_ms(); }

private:
    void perform(const desk::Effect& effect);

    Platform& platform_;
    desk::DeskConfig config_;
    desk::Desk desk_;
    std::unique_ptr<Recorder> recorder_;
    uint64_t next_intent_ = 1;
    std::deque<desk::Event> queue_;  // events raised while effects run are handled after them
    bool busy_ = false;
};

}  // namespace sb::platform
