// web/platform_web.h: the Platform in the browser. The WebSocket, timers, sessionStorage and
// the window.switchboard API are JavaScript (library_switchboard.js, switchboard_api.js); this
// class calls into them, and the sb_* exports below carry their events back into the Runtime.
#pragma once

#include <functional>

#include "platform/platform.h"
#include "platform/runtime.h"

namespace sb::web {

class WebPlatform final : public platform::Platform {
public:
    explicit WebPlatform(std::function<void()> on_redraw) : on_redraw_(std::move(on_redraw)) {}
    void attach(platform::Runtime* runtime);

    int64_t now_ms() override;
    void open_transport(const std::string& url) override;
    void close_transport() override;
    void send_frame(const std::string& text) override;
    void start_timer(desk::TimerId timer, int64_t delay_ms) override;
    void cancel_timer(desk::TimerId timer) override;
    void persist(const std::string& key, const std::optional<std::string>& value) override;
    std::optional<std::string> load(const std::string& key) override;
    void complete_intent(uint64_t id, const nlohmann::json& reply) override;
    void notify(const std::string& event, const nlohmann::json& data) override;
    bool listens(const std::string& event) const override;
    void log(desk::LogLevel level, const std::string& message) override;
    void request_redraw() override;
    void open_sip(const std::string& url) override;
    void close_sip() override;
    void send_sip(const std::string& text) override;
    void media(const desk::Media& command) override;  // SBHost.media (switchboard_api.js)
    void claim_phone(const std::string& agent, bool take_over) override;  // SBMedia.claim / takeOver
    void release_phone() override;
    void devices(const desk::Devices& command) override;  // SBHost.devices (switchboard_api.js)

    // The backend URL: ?backend=… on the page, else ws(s)://<page host>/desk.
    static std::string backend_url();
    static uint64_t random_seed();
    static void announce_ready();

private:
    std::function<void()> on_redraw_;
};

}  // namespace sb::web
