// native/platform_native.h: the Platform for native binaries (the native shell, switchboard-bot,
// tools). WebSocket through Boost.Beast and timers through Boost.Asio on an io_context the
// caller owns and runs (or polls, between frames); storage in memory.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "platform/platform.h"
#include "platform/runtime.h"

namespace sb::native {

class WebSocketClient;
struct TlsClientOptions;

struct NativeHooks {
    std::function<void(uint64_t id, const nlohmann::json& reply)> on_complete;
    std::function<void(const std::string& event, const nlohmann::json& data)> on_notify;
    std::function<void()> on_redraw;
};

class NativePlatform final : public platform::Platform {
public:
    NativePlatform(boost::asio::io_context& ioc, NativeHooks hooks, desk::LogLevel min_log_level);
    ~NativePlatform() override;

    void attach(platform::Runtime* runtime) { runtime_ = runtime; }
    // How wss:// backends and SIP proxies are trusted (default: the system's CAs).
    void set_tls(const TlsClientOptions& tls);

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
    bool listens(const std::string&) const override { return static_cast<bool>(hooks_.on_notify); }
    void log(desk::LogLevel level, const std::string& message) override;
    void request_redraw() override;
    void open_sip(const std::string& url) override;
    void close_sip() override;
    void send_sip(const std::string& text) override;
    // No audio natively: a call's SDP is a placeholder (PCMU and telephone-event on the discard
    // port), so that bots and tests can take and make calls; DTMF goes by SIP INFO.
    void media(const desk::Media& command) override;
    void claim_phone(const std::string& agent, bool take_over) override;  // one process, one phone: granted
    void release_phone() override {}
    // No audio devices natively: every List (and Set) is answered with an empty list.
    void devices(const desk::Devices& command) override;

private:
    void feed(desk::Event e);

    boost::asio::io_context& ioc_;
    NativeHooks hooks_;
    desk::LogLevel min_log_level_;
    platform::Runtime* runtime_ = nullptr;
    std::shared_ptr<const TlsClientOptions> tls_;
    std::shared_ptr<WebSocketClient> socket_;
    std::shared_ptr<WebSocketClient> sip_;
    std::map<desk::TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;
    std::map<std::string, std::string> storage_;
};

}  // namespace sb::native
