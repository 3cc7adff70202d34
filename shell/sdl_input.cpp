// shell/sdl_input.cpp: see sdl_input.h.
#include "shell/sdl_input.h"

#include <imgui.h>
#include <imgui_internal.h>  // the input queue's length

#include "imgui_impl_sdl2.h"

namespace sb::shell {

bool queue_input(const SDL_Event& e) {
    // SDL 2.26 queues a sentinel on every poll; it is not input.
    if (e.type == SDL_POLLSENTINEL) return false;
    // The backend queues a button without its position: a press with no motion before it (a
    // tap, a synthetic click) would land where the pointer last moved. Queue where it happened.
    if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP)
        ImGui::GetIO().AddMousePosEvent(static_cast<float>(e.button.x), static_cast<float>(e.button.y));
    ImGui_ImplSDL2_ProcessEvent(&e);
    return e.type == SDL_QUIT;
}

bool poll_input() {
    bool quit = false;
    SDL_Event e;
    while (SDL_PollEvent(&e)) quit = queue_input(e) || quit;
    return quit;
}

bool input_pending() { return ImGui::GetCurrentContext()->InputEventsQueue.Size > 0; }

}  // namespace sb::shell
