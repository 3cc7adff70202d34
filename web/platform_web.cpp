#include "web/platform_web.h"

#include <cstdlib>
#include <cstring>

#include <emscripten/emscripten.h>

#include "desk/event_json.h"
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
int sb_js_listens(const char* event);
void sb_js_log(int level, const char* message);
char* sb_js_backend_url();
double sb_js_random_seed();
void sb_js_ready();
void sb_js_sip_open(const char* url);
void sb_js_sip_close();
void sb_js_sip_send(const char* text);
void sb_js_media(const char* command_json);
void sb_js_phone_claim(const char* agent, int take_over);
void sb_js_phone_release();
void sb_js_devices(const char* command_json);
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

bool WebPlatform::listens(const std::string& event) const {
    return sb_js_listens(event.c_str()) != 0;
}

void WebPlatform::log(desk::LogLevel level, const std::string& message) {
    sb_js_log(static_cast<int>(level), message.c_str());
}

void WebPlatform::open_sip(const std::string& url) { sb_js_sip_open(url.c_str()); }
void WebPlatform::close_sip() { sb_js_sip_close(); }
void WebPlatform::send_sip(const std::string& text) { sb_js_sip_send(text.c_str()); }
void WebPlatform::claim_phone(const std::string& agent, bool take_over) { sb_js_phone_claim(agent.c_str(), take_over); }
void WebPlatform::release_phone() { sb_js_phone_release(); }
// web/media.js reads the effects' JSON form (desk/event_json.h): {op, call, sdp?, on?, ...}.
void WebPlatform::devices(const desk::Devices& d) { sb_js_devices(desk::effect_to_json(d).dump().c_str()); }
void WebPlatform::media(const desk::Media& m) { sb_js_media(desk::effect_to_json(m).dump().c_str()); }

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

namespace {
// A report from web/media.js in its event's JSON form (desk/event_json.h) less the type;
// anything malformed is dropped.
void feed_report(const char* type, const char* report_json) {
    if (!g_runtime) return;
    auto j = nlohmann::json::parse(report_json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return;
    j["type"] = type;
    auto event = sb::desk::event_from_json(j);
    if (event) g_runtime->feed(event.value());
}
}  // namespace

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

// SBHost.media's outcomes: {kind: local_sdp|failed|stats|dtmf_fallback, call, sdp?, reason?,
// stats?, digits?}. Anything malformed is dropped.
EMSCRIPTEN_KEEPALIVE void sb_on_media(const char* event_json) { feed_report("media", event_json); }

// SBHost.devices' report: {devices: [{kind, id, label}], input, output, ringer, microphone,
// error?}. Malformed entries are dropped; a report that is not an object is ignored.
EMSCRIPTEN_KEEPALIVE void sb_on_devices(const char* report_json) { feed_report("devices", report_json); }

// The phone's lock: 0 granted, 1 another tab has it, 2 another tab took it, 3 it was let go.
EMSCRIPTEN_KEEPALIVE void sb_on_phone(int kind) {
    if (!g_runtime || kind < 0 || kind > 3) return;
    g_runtime->feed(sb::desk::PhoneOwnership{static_cast<sb::desk::PhoneOwnership::Kind>(kind)});
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

// window.switchboard.supportLog: the session's recording (platform/recording.h) as one
// NUL-terminated string in memory of its own, which the caller frees (_free) once it has read
// it: a copy of up to 8 MB is not kept in the tab after the export. nullptr when nothing records.
EMSCRIPTEN_KEEPALIVE char* sb_support_log() {
    if (!g_runtime) return nullptr;
    auto log = g_runtime->support_log();
    if (!log || log->empty()) return nullptr;
    char* out = static_cast<char*>(std::malloc(log->size() + 1));
    if (!out) return nullptr;
    std::memcpy(out, log->data(), log->size());
    out[log->size()] = '\0';
    return out;
}

}  // extern "C"
