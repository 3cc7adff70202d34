// shell/sdl_input.h: SDL's input events into Dear ImGui's input queue.
//
// ImGui (1.87+) queues every event in order and applies them frame by frame, holding back the
// ones whose meaning depends on the effect of an earlier one in the same frame (a key after a
// click, a second press of the same key, text after a focus-moving key in a field): it
// "trickles" them to the next frame. The shell draws frames only on demand, so after a frame it
// asks whether ImGui kept events back, and if so draws another at once.
#pragma once

#include <SDL.h>

namespace sb::shell {

// Hands `e` to ImGui's queue; true if it was a quit request.
bool queue_input(const SDL_Event& e);
// Polls SDL and queues every pending event; true if one was a quit request.
bool poll_input();
// After ImGui::NewFrame(): true if ImGui kept events back for the next frame.
bool input_pending();

}  // namespace sb::shell
