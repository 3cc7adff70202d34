// shell/main_web.cpp: the desk in a browser tab. SDL2 + WebGL2 window on the page's canvas,
// the web platform (WebSocket, timers, storage in JS), frames drawn only on demand: after
// input (SDL's event watch), after a state change, or when the shell asks for a timed redraw,
// and painted only when the picture differs from the one on the canvas (draw_memo.h).
// There is no main loop: the browser calls sb_frame from requestAnimationFrame when asked.
#include <SDL.h>
#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl2.h"
#include "shell/app.h"
#include "shell/draw_memo.h"
#include "shell/frame_pacer.h"
#include "shell/runtime_sink.h"
#include "shell/sdl_input.h"
#include "web/platform_web.h"

extern "C" {
void sb_js_request_frame();
void sb_js_frame_after(double ms);
void sb_js_viewport(int* out);  // css width, css height, devicePixelRatio * 100
}

namespace {

struct WebApp {
    SDL_Window* window = nullptr;
    sb::shell::App app;
    sb::shell::FramePacer pacer;
    sb::shell::InputQueue input;
    sb::shell::DrawMemo memo;  // what the canvas shows, so that an identical frame is not drawn again
    sb::web::WebPlatform* platform = nullptr;
    sb::platform::Runtime* runtime = nullptr;
    sb::shell::RuntimeSink sink;
};
WebApp* g = nullptr;

void schedule() {
    int64_t wait = g->pacer.wait_ms(g->runtime->now_ms());
    if (wait == 0) sb_js_request_frame();
    else if (wait > 0) sb_js_frame_after(static_cast<double>(wait));
}

int on_sdl_event(void*, SDL_Event* e) {  // called as SDL queues each browser input event
    // SDL 2.26 queues a sentinel on every poll; waking for it would make an endless loop.
    if (e->type == SDL_POLLSENTINEL) return 0;
    g->pacer.on_input();
    sb_js_request_frame();
    return 0;
}

// Back in view: paint once in full, in case the browser let go of the canvas's last image while
// the tab was hidden (nothing is drawn then: no animation frames come to a hidden tab).
EM_BOOL on_visibility(int, const EmscriptenVisibilityChangeEvent* e, void*) {
    if (g && !e->hidden) {
        g->memo.forget();
        g->pacer.on_change();
        schedule();
    }
    return EM_FALSE;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void sb_frame() {
    if (!g) return;
    g->input.feed();
    int64_t now = g->runtime->now_ms();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    const bool more_input = g->input.pending();
    g->app.frame(g->runtime->state(), now, g->sink);
    ImGui::Render();
    int fw = 0, fh = 0;
    SDL_GL_GetDrawableSize(g->window, &fw, &fh);
    // The UI ran (input handled, timers rescheduled); the GL work is skipped when the picture is
    // the same as the one on the canvas, which the browser keeps showing while nothing is drawn.
    if (!g->memo.unchanged(ImGui::GetDrawData(), fw, fh)) {
        glViewport(0, 0, fw, fh);
        glClearColor(0.95f, 0.96f, 0.97f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        EM_ASM(SBHost.framesPainted = (SBHost.framesPainted | 0) + 1);
    }
    g->pacer.drew(now, g->app.next_redraw_in_ms());
    if (more_input) g->pacer.on_input();
    EM_ASM(SBHost.frames++);
    schedule();
}

EMSCRIPTEN_KEEPALIVE void sb_resize(int css_width, int css_height) {
    if (!g) return;
    SDL_SetWindowSize(g->window, css_width, css_height);
    g->memo.forget();  // resizing the canvas clears it
    g->pacer.on_input();
    schedule();
}

}  // extern "C"

int main() {
    int viewport[3] = {1280, 800, 100};
    sb_js_viewport(viewport);

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        EM_ASM({ SBHost.fail('SDL could not start: ' + UTF8ToString($0)); }, SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    // ImGui draws with neither depth nor stencil: a canvas without them costs less per frame.
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
    g = new WebApp();
    g->window = SDL_CreateWindow("Switchboard", 0, 0, viewport[0], viewport[1],
                                 SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_GLContext gl = g->window ? SDL_GL_CreateContext(g->window) : nullptr;
    if (!gl) {
        EM_ASM({ SBHost.fail('Switchboard needs WebGL 2, which this browser did not provide.'); });
        return 1;
    }
    SDL_GL_MakeCurrent(g->window, gl);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui_ImplSDL2_InitForOpenGL(g->window, gl);
    ImGui_ImplOpenGL3_Init("#version 300 es");
    g->app.setup_style({"/fonts/Inter-Regular.otf", "/fonts/Inter-SemiBold.otf"});

    g->platform = new sb::web::WebPlatform([] {
        g->pacer.on_change();
        schedule();
    });
    g->runtime = new sb::platform::Runtime(*g->platform);
    g->platform->attach(g->runtime);
    // Always recording (bounded, platform/recording.h): a support log is there when the agent
    // needs one, without a reload that would lose what went wrong.
    g->runtime->record("switchboard 0.1.0 web");
    g->sink.runtime = g->runtime;
    g->sink.on_export = [] { EM_ASM({ window.switchboard.exportSupportLog(); }); };
    SDL_AddEventWatch(on_sdl_event, nullptr);
    emscripten_set_visibilitychange_callback(nullptr, EM_FALSE, on_visibility);

    g->runtime->start(sb::web::WebPlatform::backend_url(), sb::web::WebPlatform::random_seed());
    sb::web::WebPlatform::announce_ready();
    schedule();
    return 0;  // the runtime stays alive; the browser drives it from here
}
