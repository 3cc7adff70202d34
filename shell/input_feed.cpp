#include "shell/input_feed.h"

#include <imgui.h>

#include "imgui_impl_sdl.h"

namespace sb::shell {

namespace {
bool moves_focus(const SDL_Event& e) {
    if (e.type != SDL_KEYDOWN && e.type != SDL_KEYUP) return false;
    SDL_Keycode k = e.key.keysym.sym;
    return k == SDLK_TAB || k == SDLK_RETURN || k == SDLK_KP_ENTER;
}
}  // namespace

bool InputFeed::feed(bool* quit) {
    SDL_Event ev;
    while (SDL_PollEvent(&ev))
        if (ev.type != SDL_POLLSENTINEL) backlog_.push_back(ev);
    std::set<SDL_Keycode> pressed_this_frame;
    while (!backlog_.empty()) {
        const SDL_Event& e = backlog_.front();
        if (e.type == SDL_KEYUP && pressed_this_frame.count(e.key.keysym.sym)) break;  // next frame
        if (e.type == SDL_KEYDOWN) pressed_this_frame.insert(e.key.keysym.sym);
        if (e.type == SDL_QUIT && quit) *quit = true;
        ImGui_ImplSDL2_ProcessEvent(&e);
        if (e.type == SDL_KEYDOWN || e.type == SDL_KEYUP) {
            // The backend reads the modifiers from SDL_GetModState(): the state after every event
            // polled so far, not this one's. A quick Alt+X would reach ImGui without its Alt.
            ImGuiIO& io = ImGui::GetIO();
            const Uint16 mod = e.key.keysym.mod;
            io.KeyShift = (mod & KMOD_SHIFT) != 0;
            io.KeyCtrl = (mod & KMOD_CTRL) != 0;
            io.KeyAlt = (mod & KMOD_ALT) != 0;
            io.KeySuper = (mod & KMOD_GUI) != 0;
        }
        const bool focus_moves = moves_focus(e) && e.type == SDL_KEYUP;
        backlog_.pop_front();
        if (focus_moves) break;  // the next frame moves the focus; what follows waits for it
    }
    return !backlog_.empty();
}

bool InputFeed::wait(int timeout_ms) {
    SDL_Event ev;
    if (!SDL_WaitEventTimeout(&ev, timeout_ms) || ev.type == SDL_POLLSENTINEL) return false;
    backlog_.push_back(ev);
    return true;
}

}  // namespace sb::shell
