#include "web/platform_web.h"

#include <cstdlib>

#include <emscripten/emscripten.h>

#include "desk/state_json.h"

// Implemented in library_switchboard.js.
extern "C" {
double sb_js_now();
void sb_js_ws_open(const char* url);
void sb_js_ws_close();
void sb_js_ws_send(const char* text);
void sb_js_timer_start(int timer, double delay_ms);
void sb_js_timer_cancel(int timer);
void sb_js_storage_set(const char* key, const char* value);  // value null: remove
char* sb_js_storage_get(const char* key);                    // malloc'ed, or null
void sb_js_complete(double id, const char* reply_json);
void sb_js_notify(const char* event, const char* data_json);
void sb_js_log(int level, const char* message);
char* sb_js_backend_url();
double sb_js_random_seed();
void sb_js_ready();
void sb_js_sip_open(const char* url);
void sb_js_sip_close();
void sb_js_sip_send(const char* text);
}

namespace sb::web {

namespace {
platform::Runtime* g_runtime = nullptr;
std::string g_state_json;
}  // namespace

void WebPlatform::attach(platform::Runtime* runtime) { g_runtime = runtime; }

int64_t WebPlatform::now_ms() { return static_cast<int64_t>(sb_js_now()); }
void WebPlatform::open_transport(const std::string& url) { sb_js_ws_open(url.c_str()); }
void WebPlatform::close_transport() { sb_js_ws_close(); }
void WebPlatform::send_frame(const std::string& text) { sb_js_ws_send(text.c_str()); }
void WebPlatform::start_timer(desk::TimerId timer, int64_t delay_ms) {
    sb_js_timer_start(static_cast<int>(timer), static_cast<double>(delay_ms));
}
void WebPlatform::cancel_timer(desk::TimerId timer) { sb_js_timer_cancel(static_cast<int>(timer)); }

void WebPlatform::persist(const std::string& key, const std::optional<std::string>& value) {
    sb_js_storage_set(key.c_str(), value ? value->c_str() : nullptr);
}

std::optional<std::string> WebPlatform::load(const std::string& key) {
    char* v = sb_js_storage_get(key.c_str());
    if (!v) return std::nullopt;
    std::string out(v);
    std::free(v);
    return out;
}

void WebPlatform::complete_intent(uint64_t id, const nlohmann::json& reply) {
    sb_js_complete(static_cast<double>(id), reply.dump().c_str());
}

void WebPlatform::notify(const std::string& event, const nlohmann::json& data) {
    sb_js_notify(event.c_str(), data.dump().c_str());
}

void WebPlatform::log(desk::LogLevel level, const std::string& message) {
    sb_js_log(static_cast<int>(level), message.c_str());
}

void WebPlatform::open_sip(const std::string& url) { sb_js_sip_open(url.c_str()); }
void WebPlatform::close_sip() { sb_js_sip_close(); }
void WebPlatform::send_sip(const std::string& text) { sb_js_sip_send(text.c_str()); }

void WebPlatform::request_redraw() {
    if (on_redraw_) on_redraw_();
}

std::string WebPlatform::backend_url() {
    char* v = sb_js_backend_url();
    std::string out(v ? v : "");
    std::free(v);
    return out;
}

uint64_t WebPlatform::random_seed() { return static_cast<uint64_t>(sb_js_random_seed()); }
void WebPlatform::announce_ready() { sb_js_ready(); }

}  // namespace sb::web

// ---- exports: the browser's events into the desk --------------------------------------------
using sb::web::g_runtime;

extern "C" {

EMSCRIPTEN_KEEPALIVE void sb_on_open() {
    if (g_runtime) g_runtime->feed(sb::desk::TransportOpened{});
}
EMSCRIPTEN_KEEPALIVE void sb_on_frame(const char* text) {
    if (g_runtime) g_runtime->feed(sb::desk::FrameReceived{text});
}
EMSCRIPTEN_KEEPALIVE void sb_on_close(const char* reason) {
    if (g_runtime) g_runtime->feed(sb::desk::TransportClosed{reason});
}
EMSCRIPTEN_KEEPALIVE void sb_on_timer(int timer) {
    if (g_runtime) g_runtime->feed(sb::desk::TimerFired{static_cast<sb::desk::TimerId>(timer)});
}
EMSCRIPTEN_KEEPALIVE void sb_on_sip_open() {
    if (g_runtime) g_runtime->feed(sb::desk::SipTransportOpened{});
}
EMSCRIPTEN_KEEPALIVE void sb_on_sip_message(const char* text) {
    if (g_runtime) g_runtime->feed(sb::desk::SipReceived{text});
}
EMSCRIPTEN_KEEPALIVE void sb_on_sip_close(const char* reason) {
    if (g_runtime) g_runtime->feed(sb::desk::SipTransportClosed{reason});
}

// window.switchboard.dispatch: returns the id its completion will carry.
EMSCRIPTEN_KEEPALIVE double sb_dispatch(const char* intent_json) {
    if (!g_runtime) return 0;
    auto j = nlohmann::json::parse(intent_json, nullptr, /*allow_exceptions=*/false);
    return static_cast<double>(g_runtime->dispatch_json(j.is_discarded() ? nlohmann::json() : j));
}
// window.switchboard.state: a JSON snapshot, valid until the next call.
EMSCRIPTEN_KEEPALIVE const char* sb_state_json() {
    if (!g_runtime) return "{}";
    sb::web::g_state_json = sb::desk::state_to_json(g_runtime->state(), g_runtime->now_ms()).dump();
    return sb::web::g_state_json.c_str();
}

}  // extern "C"
