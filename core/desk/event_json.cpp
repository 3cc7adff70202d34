// desk/event_json.cpp: events to JSON and back, effects to JSON (see event_json.h).
// Sections: names · events out · events in · effects out
#include "desk/event_json.h"

#include <array>
#include <cstdint>
#include <type_traits>

#include "desk/state_json.h"

namespace sb::desk {

using nlohmann::json;

namespace {

template <class>
inline constexpr bool ej_always_false = false;

// ---- names -------------------------------------------------------------------------------------

constexpr std::array<std::pair<TimerId, const char*>, 5> kEjTimers{{{TimerId::Reconnect, "reconnect"},
                                                                   {TimerId::Heartbeat, "heartbeat"},
                                                                   {TimerId::RequestDeadline, "request_deadline"},
                                                                   {TimerId::LoginWait, "login_wait"},
                                                                   {TimerId::Sip, "sip"}}};
constexpr std::array<std::pair<MediaEvent::Kind, const char*>, 4> kEjMediaKinds{
    {{MediaEvent::Kind::LocalSdp, "local_sdp"},
     {MediaEvent::Kind::Failed, "failed"},
     {MediaEvent::Kind::Stats, "stats"},
     {MediaEvent::Kind::DtmfFallback, "dtmf_fallback"}}};
constexpr std::array<std::pair<PhoneOwnership::Kind, const char*>, 4> kEjPhoneKinds{
    {{PhoneOwnership::Kind::Granted, "granted"},
     {PhoneOwnership::Kind::Busy, "busy"},
     {PhoneOwnership::Kind::Taken, "taken"},
     {PhoneOwnership::Kind::Free, "free"}}};

template <class E, size_t N>
const char* ej_name(const std::array<std::pair<E, const char*>, N>& table, E value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return table[0].second;
}
template <class E, size_t N>
std::optional<E> ej_value(const std::array<std::pair<E, const char*>, N>& table, std::string_view name) {
    for (const auto& [v, n] : table)
        if (name == n) return v;
    return std::nullopt;
}

Error ej_bad(std::string message) { return make_error("bad_event", std::move(message)); }

// A string member, "" when absent; an error when present and not a string.
Result<std::string> ej_str(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::string();
    if (!it->is_string()) return ej_bad(std::string("\"") + name + "\" must be a string.");
    return it->get<std::string>();
}

// A whole number from 0 to max (parsed JSON holds one as unsigned, a built one may be signed).
std::optional<uint64_t> ej_uint(const json& j, const char* name, uint64_t max) {
    auto it = j.find(name);
    if (it == j.end()) return std::nullopt;
    if (it->is_number_unsigned()) {
        if (it->get<uint64_t>() > max) return std::nullopt;
        return it->get<uint64_t>();
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || static_cast<uint64_t>(it->get<int64_t>()) > max)
        return std::nullopt;
    return static_cast<uint64_t>(it->get<int64_t>());
}

}  // namespace

std::string_view to_string(TimerId timer) { return ej_name(kEjTimers, timer); }

// ---- events out --------------------------------------------------------------------------------

json event_to_json(const Event& event) {
    return std::visit(
        [](const auto& e) -> json {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, Start>) {
                json j = {{"type", "start"}, {"backend_url", e.backend_url}, {"seed", e.seed},
                          {"stored_drafts", e.stored_drafts}};
                if (e.stored)
                    j["stored"] = {{"token", e.stored->token}, {"last_seq", e.stored->last_seq},
                                   {"username", e.stored->username}};
                return j;
            } else if constexpr (std::is_same_v<T, TransportOpened>) {
                return {{"type", "transport_opened"}};
            } else if constexpr (std::is_same_v<T, TransportClosed>) {
                return {{"type", "transport_closed"}, {"reason", e.reason}};
            } else if constexpr (std::is_same_v<T, FrameReceived>) {
                return {{"type", "frame"}, {"text", e.text}};
            } else if constexpr (std::is_same_v<T, IntentReceived>) {
                return {{"type", "intent"}, {"id", e.id}, {"intent", intent_to_json(e.intent)}};
            } else if constexpr (std::is_same_v<T, TimerFired>) {
                return {{"type", "timer"}, {"timer", to_string(e.timer)}};
            } else if constexpr (std::is_same_v<T, SipTransportOpened>) {
                return {{"type", "sip_opened"}};
            } else if constexpr (std::is_same_v<T, SipTransportClosed>) {
                return {{"type", "sip_closed"}, {"reason", e.reason}};
            } else if constexpr (std::is_same_v<T, SipReceived>) {
                return {{"type", "sip"}, {"text", e.text}};
            } else if constexpr (std::is_same_v<T, MediaEvent>) {
                json j = {{"type", "media"}, {"kind", ej_name(kEjMediaKinds, e.kind)}, {"call", e.call}};
                if (!e.sdp.empty()) j["sdp"] = e.sdp;
                if (!e.reason.empty()) j["reason"] = e.reason;
                if (!e.stats.is_null()) j["stats"] = e.stats;
                if (!e.digits.empty()) j["digits"] = e.digits;
                return j;
            } else if constexpr (std::is_same_v<T, PhoneOwnership>) {
                return {{"type", "phone"}, {"kind", ej_name(kEjPhoneKinds, e.kind)}};
            } else if constexpr (std::is_same_v<T, MediaDevices>) {
                json list = json::array();
                for (const auto& d : e.devices) list.push_back({{"kind", d.kind}, {"id", d.id}, {"label", d.label}});
                json j = {{"type", "devices"}, {"devices", std::move(list)}, {"input", e.input},
                          {"output", e.output}, {"ringer", e.ringer}, {"microphone", e.microphone}};
                if (!e.error.empty()) j["error"] = e.error;
                return j;
            } else {
                static_assert(ej_always_false<T>, "every event has a JSON form");
            }
        },
        event);
}

// ---- events in ---------------------------------------------------------------------------------

namespace {

Result<Event> ej_media(const json& j) {
    auto kind = ej_str(j, "kind");
    if (!kind) return kind.error();
    auto k = ej_value(kEjMediaKinds, kind.value());
    if (!k) return ej_bad("\"kind\" must be local_sdp, failed, stats or dtmf_fallback.");
    auto call = ej_uint(j, "call", 0xFFFFFFFFu);
    if (!call) return ej_bad("\"call\" must be a call id.");
    MediaEvent e;
    e.kind = *k;
    e.call = static_cast<uint32_t>(*call);
    for (auto [name, field] : {std::pair{"sdp", &e.sdp}, std::pair{"reason", &e.reason}, std::pair{"digits", &e.digits}}) {
        auto v = ej_str(j, name);
        if (!v) return v.error();
        *field = v.value();
    }
    if (auto stats = j.find("stats"); stats != j.end() && !stats->is_null()) {
        if (!stats->is_object()) return ej_bad("\"stats\" must be an object.");
        e.stats = *stats;
    }
    return Event{std::move(e)};
}

// Devices that are not objects, or whose members are not strings, are dropped: the browser's
// report is read the way it always was, leniently.
Result<Event> ej_devices(const json& j) {
    MediaDevices e;
    auto lenient = [](const json& o, const char* name) {
        auto it = o.find(name);
        return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (auto it = j.find("devices"); it != j.end() && it->is_array())
        for (const auto& d : *it)
            if (d.is_object()) e.devices.push_back({lenient(d, "kind"), lenient(d, "id"), lenient(d, "label")});
    e.input = lenient(j, "input");
    e.output = lenient(j, "output");
    e.ringer = lenient(j, "ringer");
    e.microphone = lenient(j, "microphone");
    e.error = lenient(j, "error");
    return Event{std::move(e)};
}

Result<Event> ej_start(const json& j) {
    Start s;
    auto url = ej_str(j, "backend_url");
    if (!url) return url.error();
    s.backend_url = url.value();
    auto seed = ej_uint(j, "seed", UINT64_MAX);
    if (!seed) return ej_bad("\"seed\" must be a whole number.");
    s.seed = *seed;
    auto drafts = ej_str(j, "stored_drafts");
    if (!drafts) return drafts.error();
    s.stored_drafts = drafts.value();
    if (auto st = j.find("stored"); st != j.end() && !st->is_null()) {
        if (!st->is_object()) return ej_bad("\"stored\" must be an object.");
        auto token = ej_str(*st, "token");
        if (!token) return token.error();
        auto user = ej_str(*st, "username");
        if (!user) return user.error();
        auto seq = st->find("last_seq");
        if (seq == st->end() || !seq->is_number_integer()) return ej_bad("\"stored.last_seq\" must be a whole number.");
        s.stored = StoredSession{token.value(), seq->get<int64_t>(), user.value()};
    }
    return Event{std::move(s)};
}

}  // namespace

Result<Event> event_from_json(const json& j) {
    if (!j.is_object()) return ej_bad("An event must be an object with a \"type\".");
    auto type = ej_str(j, "type");
    if (!type) return type.error();
    const std::string& t = type.value();
    auto text = [&](auto make) -> Result<Event> {
        auto v = ej_str(j, "text");
        if (!v) return v.error();
        return Event{make(v.value())};
    };
    auto reason = [&](auto make) -> Result<Event> {
        auto v = ej_str(j, "reason");
        if (!v) return v.error();
        return Event{make(v.value())};
    };
    if (t == "start") return ej_start(j);
    if (t == "transport_opened") return Event{TransportOpened{}};
    if (t == "transport_closed") return reason([](std::string r) { return TransportClosed{std::move(r)}; });
    if (t == "frame") return text([](std::string s) { return FrameReceived{std::move(s)}; });
    if (t == "sip_opened") return Event{SipTransportOpened{}};
    if (t == "sip_closed") return reason([](std::string r) { return SipTransportClosed{std::move(r)}; });
    if (t == "sip") return text([](std::string s) { return SipReceived{std::move(s)}; });
    if (t == "media") return ej_media(j);
    if (t == "devices") return ej_devices(j);
    if (t == "timer") {
        auto name = ej_str(j, "timer");
        if (!name) return name.error();
        auto timer = ej_value(kEjTimers, name.value());
        if (!timer) return ej_bad("\"timer\" names no timer.");
        return Event{TimerFired{*timer}};
    }
    if (t == "phone") {
        auto name = ej_str(j, "kind");
        if (!name) return name.error();
        auto kind = ej_value(kEjPhoneKinds, name.value());
        if (!kind) return ej_bad("\"kind\" must be granted, busy, taken or free.");
        return Event{PhoneOwnership{*kind}};
    }
    if (t == "intent") {
        auto id = ej_uint(j, "id", UINT64_MAX);
        if (!id) return ej_bad("\"id\" must be a whole number.");
        auto it = j.find("intent");
        if (it == j.end()) return ej_bad("\"intent\" is missing.");
        auto intent = intent_from_json(*it);
        if (!intent) return ej_bad("\"intent\": " + intent.error().message);
        return Event{IntentReceived{*id, std::move(intent.value())}};
    }
    return ej_bad("\"type\" names no event.");
}

// ---- effects out -------------------------------------------------------------------------------

json effect_to_json(const Effect& effect) {
    static constexpr const char* kLevels[] = {"debug", "info", "warn", "error"};
    return std::visit(
        [](const auto& e) -> json {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, OpenTransport>) {
                return {{"type", "open_transport"}, {"url", e.url}};
            } else if constexpr (std::is_same_v<T, CloseTransport>) {
                return {{"type", "close_transport"}};
            } else if constexpr (std::is_same_v<T, SendFrame>) {
                return {{"type", "send_frame"}, {"text", e.text}};
            } else if constexpr (std::is_same_v<T, StartTimer>) {
                return {{"type", "start_timer"}, {"timer", to_string(e.timer)}, {"delay_ms", e.delay_ms}};
            } else if constexpr (std::is_same_v<T, CancelTimer>) {
                return {{"type", "cancel_timer"}, {"timer", to_string(e.timer)}};
            } else if constexpr (std::is_same_v<T, CompleteIntent>) {
                json j = {{"type", "complete_intent"}, {"id", e.id}};
                if (e.error) j["error"] = error_to_json(*e.error);
                else if (json result = e.result_value(); !result.is_null()) j["result"] = std::move(result);
                return j;
            } else if constexpr (std::is_same_v<T, Notify>) {
                json j = {{"type", "notify"}, {"event", e.event}};
                if (!e.contact.empty()) j["contact"] = e.contact;
                else j["data"] = e.data;
                return j;
            } else if constexpr (std::is_same_v<T, Persist>) {
                return {{"type", "persist"}, {"key", e.key}, {"value", e.value ? json(*e.value) : json(nullptr)}};
            } else if constexpr (std::is_same_v<T, Log>) {
                return {{"type", "log"}, {"level", kLevels[static_cast<int>(e.level)]}, {"message", e.message}};
            } else if constexpr (std::is_same_v<T, OpenSipTransport>) {
                return {{"type", "open_sip"}, {"url", e.url}};
            } else if constexpr (std::is_same_v<T, CloseSipTransport>) {
                return {{"type", "close_sip"}};
            } else if constexpr (std::is_same_v<T, SendSip>) {
                return {{"type", "send_sip"}, {"text", e.text}};
            } else if constexpr (std::is_same_v<T, Media>) {
                json j = {{"type", "media"}, {"op", to_string(e.op)}, {"call", e.call}};
                if (!e.sdp.empty()) j["sdp"] = e.sdp;
                if (e.op == MediaOp::Mute || e.op == MediaOp::Hold) j["on"] = e.on;
                if (e.op == MediaOp::Dtmf) j["digits"] = e.digits;
                if (e.op == MediaOp::Tone) j["tone"] = e.tone;
                return j;
            } else if constexpr (std::is_same_v<T, ClaimPhone>) {
                return {{"type", "claim_phone"}, {"agent", e.agent}, {"take_over", e.take_over}};
            } else if constexpr (std::is_same_v<T, ReleasePhone>) {
                return {{"type", "release_phone"}};
            } else if constexpr (std::is_same_v<T, Devices>) {
                json j = {{"type", "devices"}, {"op", to_string(e.op)}};
                if (e.op == DevicesOp::Set) {
                    j["kind"] = e.kind;
                    j["id"] = e.id;
                }
                if (e.op == DevicesOp::List) j["probe"] = e.probe;
                if (e.op == DevicesOp::TestRinger) j["ms"] = e.ms;
                return j;
            } else {
                static_assert(ej_always_false<T>, "every effect has a JSON form");
            }
        },
        effect);
}

}  // namespace sb::desk
