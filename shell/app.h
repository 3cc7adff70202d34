// shell/app.h: the Dear ImGui interface of the desk, the same in the browser and natively.
//
// The shell reads DeskState and turns clicks and keys into intents; it never changes state
// itself. A main (main_web.cpp, main_native.cpp) owns the window, the ImGui context and the
// platform, and calls App::frame between ImGui::NewFrame and ImGui::Render.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "desk/desk_state.h"
#include "desk/intent.h"

namespace sb::shell {

// Where the shell's intents go (the main forwards them to platform::Runtime::dispatch).
class IntentSink {
public:
    virtual ~IntentSink() = default;
    virtual void dispatch(desk::Intent intent) = 0;
    // "Export support log" (the account menu): hand the agent the session's recording
    // (platform/recording.h) as a file. Not an intent: the log is the platform's, not the desk's.
    virtual void export_support_log() {}
};

struct FontFiles {
    std::string regular;   // path of the regular face (Inter, subset at build time)
    std::string semibold;  // path of the semibold face
};

class App {
public:
    App();
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Theme and fonts; call once after ImGui::CreateContext (a DPI change needs no second call:
    // ImGui bakes glyphs at the framebuffer's density).
    void setup_style(const FontFiles& fonts);

    // Draws the whole window content (login screen or desk) for this frame.
    void frame(const desk::DeskState& state, int64_t now_ms, IntentSink& sink);

    // How long until the UI needs another frame without any input: the state timer ticks each
    // second, a text caret blinks, a short animation runs. -1: nothing until input or an event.
    int64_t next_redraw_in_ms() const { return next_redraw_in_ms_; }

private:
    // The shell's own memory between frames: the selected contact, what the panels remember
    // (panels/memory.h: text being typed, popups' forms, per-contact and per-call state) and
    // ImGui's late-settling ids. See app.cpp.
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int64_t next_redraw_in_ms_ = -1;
};

}  // namespace sb::shell
