#include "shell/input_feed.h"

#include <cfloat>
#include <set>

#include <imgui.h>

#include "imgui_impl_sdl.h"

namespace sb::shell {

namespace {
bool moves_focus(const SDL_Event& e) {
    if (e.type != SDL_KEYDOWN && e.type != SDL_KEYUP) return false;
    SDL_Keycode k = e.key.keysym.sym;
    return k == SDLK_TAB || k == SDLK_RETURN || k == SDLK_KP_ENTER;
}

bool is_button(const SDL_Event& e) { return e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP; }
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
        if (e.type == SDL_MOUSEMOTION) {
            mouse_.seen = true;
            mouse_.x = e.motion.x;
            mouse_.y = e.motion.y;
        } else if (is_button(e)) {
            mouse_.seen = true;
            mouse_.x = e.button.x;
            mouse_.y = e.button.y;
            if (e.type == SDL_MOUSEBUTTONDOWN) mouse_.buttons |= SDL_BUTTON(e.button.button);
            else mouse_.buttons &= ~SDL_BUTTON(e.button.button);
        }
        // What follows a focus-moving key or a click waits for the frame that sees its effect.
        const bool ends_share = (moves_focus(e) && e.type == SDL_KEYUP) || is_button(e);
        backlog_.pop_front();
        if (ends_share) break;
    }
    return !backlog_.empty();
}

void InputFeed::new_frame() {
    ImGui_ImplSDL2_NewFrame();
    if (!mouse_.seen) return;
    ImGuiIO& io = ImGui::GetIO();
    // The backend leaves the position unset when the window has neither the mouse nor the
    // keyboard focus; that decision stands.
    if (io.MousePos.x != -FLT_MAX) io.MousePos = ImVec2(static_cast<float>(mouse_.x), static_cast<float>(mouse_.y));
    io.MouseDown[0] = (mouse_.buttons & SDL_BUTTON(SDL_BUTTON_LEFT)) != 0;
    io.MouseDown[1] = (mouse_.buttons & SDL_BUTTON(SDL_BUTTON_RIGHT)) != 0;
    io.MouseDown[2] = (mouse_.buttons & SDL_BUTTON(SDL_BUTTON_MIDDLE)) != 0;
}

bool InputFeed::wait(int timeout_ms) {
    SDL_Event ev;
    if (!SDL_WaitEventTimeout(&ev, timeout_ms) || ev.type == SDL_POLLSENTINEL) return false;
    backlog_.push_back(ev);
    return true;
}

}  // namespace sb::shell
