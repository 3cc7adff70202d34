// shell/sdl_input.cpp: see sdl_input.h.
#include "shell/sdl_input.h"

#include <imgui.h>
#include <imgui_internal.h>  // the input queue's length

#include "imgui_impl_sdl2.h"

namespace sb::shell {

namespace {

bool moves_focus(const SDL_Event& e) {
    if (e.type != SDL_KEYDOWN) return false;
    const SDL_Keycode k = e.key.keysym.sym;
    return k == SDLK_TAB || k == SDLK_RETURN || k == SDLK_KP_ENTER;
}

size_t imgui_queued() { return static_cast<size_t>(ImGui::GetCurrentContext()->InputEventsQueue.Size); }

}  // namespace

bool InputQueue::wait(int timeout_ms) {
    SDL_Event e;
    if (!SDL_WaitEventTimeout(&e, timeout_ms)) return false;
    if (e.type == SDL_POLLSENTINEL) return false;  // SDL 2.26 queues one on every poll
    held_.push_back(e);
    return true;
}

bool InputQueue::feed() {
    SDL_Event e;
    while (SDL_PollEvent(&e))
        if (e.type != SDL_POLLSENTINEL) held_.push_back(e);
    switch (focus_) {
        case Focus::Open: break;
        case Focus::KeyQueued:
            if (imgui_queued() > 0) return false;  // ImGui has not read the key yet
            focus_ = Focus::KeyRead;               // it read it last frame: the field activates now
            return false;
        case Focus::KeyRead: focus_ = Focus::Open; break;
    }
    bool quit = false;
    while (!held_.empty()) {
        const SDL_Event ev = held_.front();
        held_.pop_front();
        quit = quit || ev.type == SDL_QUIT;
        // The backend queues a button without its position: a press with no motion before it (a
        // tap, a synthetic click) would land where the pointer last moved. Queue where it was.
        if (ev.type == SDL_MOUSEBUTTONDOWN || ev.type == SDL_MOUSEBUTTONUP)
            ImGui::GetIO().AddMousePosEvent(static_cast<float>(ev.button.x), static_cast<float>(ev.button.y));
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (moves_focus(ev)) {
            focus_ = Focus::KeyQueued;
            break;
        }
    }
    return quit;
}

bool InputQueue::pending() const { return !held_.empty() || imgui_queued() > 0; }

}  // namespace sb::shell
