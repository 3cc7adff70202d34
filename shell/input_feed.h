// shell/input_feed.h: hands SDL's input events to Dear ImGui, a frame's worth at a time, and
// shows ImGui the mouse as those events left it.
//
// ImGui 1.86 reads the input once per frame. Input that arrives faster than frames (a fast typist
// or a test driver on a slow machine, a frame delayed by the browser) must still mean what it
// meant in order, so a frame takes events only up to the first one whose effect the next events
// depend on; the rest wait for the next frame, which is asked for:
// - the release of a key pressed in that same frame: a quick Tab or Enter would never be seen down;
// - a key that moves the keyboard focus (Tab, Enter): ImGui moves it on the next frame, and the
//   field that had it would read the characters typed after;
// - a mouse button going down or up: the click makes a field active (or a button open a popup
//   that takes the focus) and ImGui ignores Enter, Backspace and the arrows in the frame a field
//   becomes active, so "click the composer, press Enter" would lose the Enter.
// Modifiers go with their key event (the backend would read SDL's current state instead, which a
// quick Alt+X has already released).
// The mouse: the SDL backend reads the pointer's position and buttons from SDL's current state,
// which the browser updates as each event arrives, ahead of the events still waiting here. A
// click would then land before the keys typed ahead of it (a field losing its last characters)
// or where the mouse went later. So new_frame() gives ImGui the position and buttons as of the
// last event fed.
// (ImGui 1.87+ has an input queue that does part of this itself.)
#pragma once

#include <SDL.h>

#include <cstdint>
#include <deque>

namespace sb::shell {

class InputFeed {
public:
    // Polls SDL, then feeds ImGui this frame's share. Returns true if events are left over
    // (draw another frame soon). Sets `quit` on SDL_QUIT.
    bool feed(bool* quit = nullptr);

    // In place of ImGui_ImplSDL2_NewFrame (after feed, before ImGui::NewFrame): the backend's
    // frame, with the mouse as the events fed so far left it.
    void new_frame();

    // Native loop: sleeps until an input event arrives (kept for feed) or `timeout_ms` passes.
    // Returns true if an event arrived.
    bool wait(int timeout_ms);

private:
    std::deque<SDL_Event> backlog_;
    struct Mouse {
        bool seen = false;     // no mouse event fed yet: the backend's view stands
        int x = 0, y = 0;      // window coordinates of the last mouse event fed
        uint32_t buttons = 0;  // SDL_BUTTON() mask after the last button event fed
    } mouse_;
};

}  // namespace sb::shell
