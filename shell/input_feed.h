// shell/input_feed.h: hands SDL's input events to Dear ImGui, a frame's worth at a time.
//
// ImGui 1.86 reads each key's state once per frame. A key pressed and released between two
// frames (a quick Tab or Enter, a fast typist on a slow machine, a test driver) would never be
// seen down, and the key would be lost. So a frame takes events only up to the release of a key
// that was pressed in that same frame; the rest wait for the next frame, which is asked for.
// Likewise a key that moves the keyboard focus (Tab, Enter) ends a frame's share: ImGui moves
// the focus on the next frame, and the field that had it reads that frame's characters first,
// so "Tab, then type" would put the first characters in the old field.
// Modifiers go with their key event (the backend would read SDL's current state instead, which a
// quick Alt+X has already released).
// (ImGui 1.87+ does this itself with its input queue; the SDL backend already latches short
// mouse clicks.)
#pragma once

#include <SDL.h>

#include <deque>
#include <set>

namespace sb::shell {

class InputFeed {
public:
    // Polls SDL, then feeds ImGui this frame's share. Returns true if events are left over
    // (draw another frame soon). Sets `quit` on SDL_QUIT.
    bool feed(bool* quit = nullptr);

    // Native loop: sleeps until an input event arrives (kept for feed) or `timeout_ms` passes.
    // Returns true if an event arrived.
    bool wait(int timeout_ms);

private:
    std::deque<SDL_Event> backlog_;
};

}  // namespace sb::shell
