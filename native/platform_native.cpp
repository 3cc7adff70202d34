#include "native/platform_native.h"

#include <chrono>
#include <iostream>

#include "native/websocket_client.h"

namespace sb::native {

NativePlatform::NativePlatform(boost::asio::io_context& ioc, NativeHooks hooks, desk::LogLevel min_log_level)
    : ioc_(ioc), hooks_(std::move(hooks)), min_log_level_(min_log_level) {}

NativePlatform::~NativePlatform() {
    if (socket_) socket_->close();
}

void NativePlatform::feed(desk::Event e) {
    if (runtime_) runtime_->feed(e);
}

int64_t NativePlatform::now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void NativePlatform::set_tls(const TlsClientOptions& tls) { tls_ = std::make_shared<const TlsClientOptions>(tls); }

void NativePlatform::open_transport(const std::string& url) {
    if (socket_) socket_->close();
    socket_ = std::make_shared<WebSocketClient>(
        ioc_, WebSocketCallbacks{
                  [this] { feed(desk::TransportOpened{}); },
                  [this](std::string text) { feed(desk::FrameReceived{std::move(text)}); },
                  [this](std::string reason) { feed(desk::TransportClosed{std::move(reason)}); },
              },
        tls_ ? *tls_ : TlsClientOptions{});
    socket_->open(url);
}

void NativePlatform::close_transport() {
    if (socket_) socket_->close();
    socket_.reset();
}

void NativePlatform::send_frame(const std::string& text) {
    if (socket_) socket_->send(text);
}

void NativePlatform::open_sip(const std::string& url) {
    if (sip_) sip_->close();
    sip_ = std::make_shared<WebSocketClient>(
        ioc_, WebSocketCallbacks{
                  [this] { feed(desk::SipTransportOpened{}); },
                  [this](std::string text) { feed(desk::SipReceived{std::move(text)}); },
                  [this](std::string reason) { feed(desk::SipTransportClosed{std::move(reason)}); },
              },
        tls_ ? *tls_ : TlsClientOptions{});
    sip_->open(url, "sip");
}

void NativePlatform::close_sip() {
    if (sip_) sip_->close();
    sip_.reset();
}

void NativePlatform::send_sip(const std::string& text) {
    if (sip_) sip_->send(text);
}

void NativePlatform::claim_phone(const std::string&, bool) {
    boost::asio::post(ioc_, [this] { feed(desk::PhoneOwnership{desk::PhoneOwnership::Kind::Granted}); });
}

void NativePlatform::devices(const desk::Devices& d) {
    if (d.op == desk::DevicesOp::TestRinger) return;  // nothing to ring with
    desk::MediaDevices e;
    e.microphone = "unavailable";
    boost::asio::post(ioc_, [this, e] { feed(e); });
}

void NativePlatform::media(const desk::Media& m) {
    using desk::MediaEvent;
    if (m.op == desk::MediaOp::Start) {
        std::string sdp = "v=0\r\no=switchboard-native " + std::to_string(now_ms()) +
                          " 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                          "m=audio 9 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                          "a=fmtp:101 0-16\r\na=sendrecv\r\n";
        MediaEvent e{MediaEvent::Kind::LocalSdp, m.call, std::move(sdp), {}, nullptr, {}};
        boost::asio::post(ioc_, [this, e] { feed(e); });
    } else if (m.op == desk::MediaOp::Dtmf) {
        MediaEvent e{MediaEvent::Kind::DtmfFallback, m.call, {}, {}, nullptr, m.digits};
        boost::asio::post(ioc_, [this, e] { feed(e); });
    }
}

void NativePlatform::start_timer(desk::TimerId timer, int64_t delay_ms) {
    auto& t = timers_[timer];
    if (t) t->cancel();
    t = std::make_unique<boost::asio::steady_timer>(ioc_, std::chrono::milliseconds(delay_ms));
    auto* raw = t.get();
    t->async_wait([this, timer, raw](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled or replaced
        auto it = timers_.find(timer);
        if (it == timers_.end() || it->second.get() != raw) return;
        feed(desk::TimerFired{timer});
    });
}

void NativePlatform::cancel_timer(desk::TimerId timer) {
    // Destroying a steady_timer cancels its wait; the handler then sees operation_aborted.
    timers_.erase(timer);
}

void NativePlatform::persist(const std::string& key, const std::optional<std::string>& value) {
    if (value) storage_[key] = *value;
    else storage_.erase(key);
}

std::optional<std::string> NativePlatform::load(const std::string& key) {
    auto it = storage_.find(key);
    if (it == storage_.end()) return std::nullopt;
    return it->second;
}

void NativePlatform::complete_intent(uint64_t id, const nlohmann::json& reply) {
    if (hooks_.on_complete) hooks_.on_complete(id, reply);
}

void NativePlatform::notify(const std::string& event, const nlohmann::json& data) {
    if (hooks_.on_notify) hooks_.on_notify(event, data);
}

void NativePlatform::log(desk::LogLevel level, const std::string& message) {
    if (level < min_log_level_) return;
    static const char* names[] = {"debug", "info", "warn", "error"};
    std::cerr << nlohmann::json{{"level", names[static_cast<int>(level)]}, {"msg", message}}.dump() << "\n";
}

void NativePlatform::request_redraw() {
    if (hooks_.on_redraw) hooks_.on_redraw();
}

}  // namespace sb::native
