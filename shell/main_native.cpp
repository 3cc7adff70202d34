// shell/main_native.cpp: the desk in a native window (SDL2 + OpenGL 3), for developing and
// screenshot-testing panels under Xvfb. Same core, same panels as the browser build; the
// native platform carries the desk protocol.
#include <SDL.h>
#include <SDL_opengl.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <boost/asio/io_context.hpp>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl2.h"
#include "native/platform_native.h"
#include "shell/app.h"
#include "shell/frame_pacer.h"
#include "shell/runtime_sink.h"
#include "shell/sdl_input.h"

namespace {

const char* kUsage = R"(usage: switchboard-shell [--url ws://127.0.0.1:8080/desk] [--autologin USER:PASSWORD]
                         [--size WxH] [--exit-after SECONDS] [--support-log FILE]

The session is recorded (platform/recording.h). The account menu's "Export support log" writes
it to FILE (default switchboard-support.log in the working directory); with --support-log it is
also written when the shell exits. switchboard-replay replays it.
)";

// Writes the recording so far; says where (or why not) on stderr, where a developer looks.
void write_support_log(const sb::platform::Runtime& runtime, const std::string& path) {
    auto log = runtime.support_log();
    if (!log) return;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(log->data(), 1, log->size(), f) != log->size() || std::fclose(f) != 0) {
        std::fprintf(stderr, "switchboard-shell: could not write the support log to %s\n", path.c_str());
        return;
    }
    std::fprintf(stderr, "switchboard-shell: support log written to %s\n", path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    std::string url = "ws://127.0.0.1:8080/desk", autologin, support_log;
    int width = 1280, height = 800, exit_after_s = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 < argc && a == "--url") url = argv[++i];
        else if (i + 1 < argc && a == "--autologin") autologin = argv[++i];
        else if (i + 1 < argc && a == "--size") std::sscanf(argv[++i], "%dx%d", &width, &height);
        else if (i + 1 < argc && a == "--exit-after") exit_after_s = std::atoi(argv[++i]);
        else if (i + 1 < argc && a == "--support-log") support_log = argv[++i];
        else { std::fputs(kUsage, stderr); return 2; }
    }

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) {
        std::fprintf(stderr, "SDL_Init failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 2);
    SDL_Window* window = SDL_CreateWindow("Switchboard", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, width, height,
                                          SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!window) {
        std::fprintf(stderr, "SDL_CreateWindow failed: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GLContext gl = SDL_GL_CreateContext(window);
    SDL_GL_MakeCurrent(window, gl);
    SDL_GL_SetSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui_ImplSDL2_InitForOpenGL(window, gl);
    ImGui_ImplOpenGL3_Init("#version 150");

    sb::shell::App app;
    app.setup_style({SB_FONT_DIR "/Inter-Regular.otf", SB_FONT_DIR "/Inter-SemiBold.otf"});

    sb::shell::FramePacer pacer;
    sb::shell::InputQueue input;
    boost::asio::io_context ioc;
    sb::native::NativeHooks hooks;
    hooks.on_redraw = [&] { pacer.on_change(); };
    sb::native::NativePlatform platform(ioc, hooks, sb::desk::LogLevel::Info);
    sb::platform::Runtime runtime(platform);
    platform.attach(&runtime);
    runtime.record("switchboard-shell 0.1.0");
    sb::shell::RuntimeSink sink;
    sink.runtime = &runtime;
    sink.on_export = [&] { write_support_log(runtime, support_log.empty() ? "switchboard-support.log" : support_log); };

    std::random_device rd;
    runtime.start(url, (uint64_t(rd()) << 32) | rd());
    if (auto colon = autologin.find(':'); colon != std::string::npos)
        runtime.dispatch(sb::desk::LoginIntent{autologin.substr(0, colon), autologin.substr(colon + 1)});

    const int64_t started = runtime.now_ms();
    bool running = true;
    while (running) {
        ioc.poll();
        int64_t now = runtime.now_ms();
        if (exit_after_s > 0 && now - started > exit_after_s * 1000LL) break;
        // Sleep until input, or until the network might have something (the io_context is
        // polled at least every 20 ms), or until the shell's next timed redraw.
        int64_t wait = pacer.wait_ms(now);
        int timeout = int(wait < 0 ? 20 : std::min<int64_t>(wait, 20));
        if (input.wait(timeout)) pacer.on_input();
        ioc.poll();
        now = runtime.now_ms();
        if (pacer.wait_ms(now) != 0) continue;

        if (input.feed()) break;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        ImGui::NewFrame();
        const bool more_input = input.pending();
        app.frame(runtime.state(), now, sink);
        ImGui::Render();
        int fw = 0, fh = 0;
        SDL_GL_GetDrawableSize(window, &fw, &fh);
        glViewport(0, 0, fw, fh);
        glClearColor(0.95f, 0.96f, 0.97f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        SDL_GL_SwapWindow(window);
        pacer.drew(now, app.next_redraw_in_ms());
        if (more_input) pacer.on_input();
    }

    if (!support_log.empty()) write_support_log(runtime, support_log);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_GL_DeleteContext(gl);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return 0;
}
