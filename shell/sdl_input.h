// shell/sdl_input.h: SDL's input events into Dear ImGui's input queue.
//
// ImGui (1.87+) queues every event in order and applies them frame by frame, holding back the
// ones whose meaning depends on the effect of an earlier one in the same frame (a key after a
// click, a second change of the same key or button, text after a non-character key while a
// field is active): it "trickles" them to the next frame. The shell draws frames only on demand,
// so after a frame it asks whether anything is still waiting, and if so draws another at once.
//
// One case ImGui does not cover: a key that moves the keyboard focus (Tab, Enter) into a text
// field activates the field a frame after the key is read, and ImGui drops the characters read
// in the frame a field is activated by the keyboard (the key that activated it could have typed
// one). Typing "bob", Tab, "secret" faster than the desk draws would lose the "s". So the events
// after such a key wait here until ImGui has read the key and drawn one more frame.
#pragma once

#include <SDL.h>

#include <deque>

namespace sb::shell {

class InputQueue {
public:
    // Native loop: waits up to `timeout_ms` for an event (kept for feed). True if one came.
    bool wait(int timeout_ms);
    // Before ImGui::NewFrame: polls SDL and hands ImGui what this
    // frame may have. True if one of the events was a quit request.
    bool feed();
    // After ImGui::NewFrame: true if events wait (here or in ImGui's queue) for another frame.
    bool pending() const;

private:
    std::deque<SDL_Event> held_;
    // After a Tab or Enter: Open -> (the key went to ImGui) KeyQueued -> (ImGui's queue emptied:
    // it read the key) KeyRead -> (one more frame, the field activates) Open.
    enum class Focus { Open, KeyQueued, KeyRead };
    Focus focus_ = Focus::Open;
};

}  // namespace sb::shell
