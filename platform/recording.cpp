// platform/recording.cpp: redaction, the Recorder and replay (see recording.h).
// Sections: redaction · recording · replay
#include "platform/recording.h"

#include <algorithm>
#include <cctype>

#include "contact/card.h"
#include "desk/event_json.h"
#include "desk/state_json.h"
#include "protocol/depth.h"

namespace sb::platform {

using nlohmann::json;

// ---- redaction ----------------------------------------------------------------------------------

namespace {

constexpr const char* kRedacted = "[redacted]";
constexpr const char* kSecretKeys[] = {"password", "token",          "secret",      "otpauth",
                                       "challenge", "recovery_codes", "card_number", "cvc"};

// What people wrote (a message, a draft, notes): a card number in it is masked as the server
// masks stored messages, "•••• 1111" (docs/security.md).
constexpr const char* kFreeTextKeys[] = {"text", "notes", "note"};

bool free_text_key(const std::string& key) {
    return std::any_of(std::begin(kFreeTextKeys), std::end(kFreeTextKeys), [&](const char* k) { return key == k; });
}

bool secret_key(const std::string& key) {
    return std::any_of(std::begin(kSecretKeys), std::end(kSecretKeys), [&](const char* k) { return key == k; });
}

json redact_value(const json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>().empty() ? v : json(kRedacted);
    if (v.is_array()) {
        json out = json::array();
        for (const auto& e : v) out.push_back(redact_value(e));
        return out;
    }
    return v;  // null, numbers, booleans: nothing to hide
}

std::string redact_if_set(const std::string& s) { return s.empty() ? s : kRedacted; }

desk::Intent redact_intent(desk::Intent intent) {
    using namespace desk;
    if (auto* login = std::get_if<LoginIntent>(&intent)) login->password = redact_if_set(login->password);
    else if (auto* mfa = std::get_if<MfaIntent>(&intent)) {
        mfa->code = redact_code(mfa->code);
        mfa->recovery_code = redact_code(mfa->recovery_code);
    } else if (auto* answer = std::get_if<VerifyAnswerIntent>(&intent)) answer->answer = redact_code(answer->answer);
    else if (auto* card = std::get_if<PaymentSubmitIntent>(&intent)) {
        card->card_number = redact_card_number(card->card_number);
        card->cvc = redact_code(card->cvc);
    } else if (auto* message = std::get_if<SendMessageIntent>(&intent)) {
        message->text = contact::mask_card_numbers(message->text);
    } else if (auto* draft = std::get_if<SaveDraftIntent>(&intent)) {
        if (draft->text) draft->text = contact::mask_card_numbers(*draft->text);
        if (draft->wrap_up) draft->wrap_up->notes = contact::mask_card_numbers(draft->wrap_up->notes);
    } else if (auto* wrap = std::get_if<WrapUpIntent>(&intent)) {
        wrap->notes = contact::mask_card_numbers(wrap->notes);
    } else if (auto* transfer = std::get_if<TransferIntent>(&intent)) {
        transfer->note = contact::mask_card_numbers(transfer->note);
    } else if (auto* customer = std::get_if<UpdateCustomerIntent>(&intent)) {
        if (customer->notes) customer->notes = contact::mask_card_numbers(*customer->notes);
    }
    return intent;
}

}  // namespace

json redact_json(json j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (secret_key(it.key())) it.value() = redact_value(it.value());
            else if (free_text_key(it.key()) && it.value().is_string())
                it.value() = contact::mask_card_numbers(it.value().get_ref<const std::string&>());
            else it.value() = redact_json(std::move(it.value()));
        }
    } else if (j.is_array()) {
        for (auto& e : j) e = redact_json(std::move(e));
    }
    return j;
}

std::string redact_code(std::string_view code) {
    std::string out(code);
    for (char& c : out) {
        if (std::isdigit(static_cast<unsigned char>(c))) c = '0';
        else if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) c = 'x';
    }
    return out;
}

std::string redact_card_number(std::string_view number) {
    std::string digits;
    for (char c : number)
        if (c >= '0' && c <= '9') digits += c;
    const bool was_valid = contact::luhn_valid(digits);
    std::string kept = digits;
    if (digits.size() < 13) {
        std::fill(kept.begin(), kept.end(), '0');
    } else {
        std::fill(kept.begin() + 6, kept.end() - 4, '0');
        // Luhn sums the digits, every second one from the right doubled (less 9 past 9): either
        // way the seventh digit's ten values give the sum ten different remainders, so one of
        // them gives the original's verdict.
        for (char d = '0'; d <= '9' && contact::luhn_valid(kept) != was_valid; ++d) kept[6] = d;
    }
    std::string out(number);
    size_t next = 0;
    for (char& c : out)
        if (c >= '0' && c <= '9') c = kept[next++];
    return out;
}

std::string redact_sdp(std::string text) {
    static constexpr std::string_view kIcePwd = "a=ice-pwd:";
    for (size_t at = text.find(kIcePwd); at != std::string::npos; at = text.find(kIcePwd, at)) {
        at += kIcePwd.size();
        while (at < text.size() && text[at] != '\r' && text[at] != '\n') text[at++] = 'x';
    }
    return text;
}

desk::Event redact(const desk::Event& event) {
    using namespace desk;
    if (const auto* frame = std::get_if<FrameReceived>(&event)) {
        // Most frames name no secret: they are kept byte for byte, and cost no second parse.
        const bool names_one = std::any_of(std::begin(kSecretKeys), std::end(kSecretKeys), [&](const char* k) {
            return frame->text.find('"' + std::string(k) + '"') != std::string::npos;
        });
        // (A key spelt with \u escapes is parsed too: "\u0074oken" is "token" to the desk.)
        if (!names_one && frame->text.find("\\u") == std::string::npos) return event;
        // Nested too deep to parse safely: the desk refuses it unparsed, and it is kept as it came.
        if (protocol::nested_too_deep(frame->text)) return event;
        json j = json::parse(frame->text, nullptr, /*allow_exceptions=*/false);
        // A frame that is not JSON is kept as it came (the desk refuses it the same way on replay).
        if (j.is_discarded()) return event;
        return FrameReceived{redact_json(std::move(j)).dump()};
    }
    if (const auto* intent = std::get_if<IntentReceived>(&event)) return IntentReceived{intent->id, redact_intent(intent->intent)};
    if (const auto* sip = std::get_if<SipReceived>(&event)) return SipReceived{redact_sdp(sip->text)};
    if (const auto* media = std::get_if<MediaEvent>(&event)) {
        MediaEvent m = *media;
        m.sdp = redact_sdp(std::move(m.sdp));
        return m;
    }
    if (const auto* start = std::get_if<Start>(&event)) {
        Start s = *start;
        if (s.stored) s.stored->token = redact_if_set(s.stored->token);
        return s;
    }
    return event;
}

// ---- recording ----------------------------------------------------------------------------------

namespace {

json config_json(const desk::DeskConfig& c) {
    return {{"request_timeout_ms", c.request_timeout_ms}, {"heartbeat_interval_ms", c.heartbeat_interval_ms},
            {"reconnect_base_ms", c.reconnect_base_ms},   {"reconnect_cap_ms", c.reconnect_cap_ms},
            {"login_wait_ms", c.login_wait_ms}};
}

}  // namespace

Recorder::Recorder(std::string build, desk::DeskConfig config, size_t max_bytes) : max_bytes_(max_bytes) {
    // Members in the order a person reads them (nlohmann's json would sort them).
    nlohmann::ordered_json header;
    header["switchboard_log"] = kLogVersion;
    header["build"] = std::move(build);
    header["config"] = nlohmann::ordered_json::parse(config_json(config).dump());
    header["redacted"] = "passwords, one-time and recovery codes, verification answers, tokens, second-factor "
                         "secrets, SIP and ICE passwords, card digits but the first six and last four, CVCs";
    header_ = header.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

void Recorder::record(int64_t now_ms, const desk::Event& event) {
    last_ms_ = now_ms;
    if (truncated_) return;
    std::string line = "{\"t\":" + std::to_string(now_ms) + ",\"event\":" +
                       desk::event_to_json(redact(event)).dump(-1, ' ', false, json::error_handler_t::replace) + "}\n";
    if (lines_.size() + line.size() > max_bytes_) {
        truncated_ = true;
        return;
    }
    lines_ += line;
    ++events_;
}

std::string Recorder::log(const desk::DeskState& state) const {
    const std::string end = "{\"end\":true,\"at\":" + std::to_string(last_ms_) + ",\"events\":" +
                            std::to_string(events_) + ",\"truncated\":" + (truncated_ ? "true" : "false") +
                            ",\"state\":" +
                            redact_json(desk::state_to_json(state, last_ms_)).dump(-1, ' ', false, json::error_handler_t::replace) +
                            "}\n";
    return header_ + lines_ + end;
}

// ---- replay -------------------------------------------------------------------------------------

namespace {

Error bad_log(size_t line, const std::string& why) {
    return make_error("bad_log", "line " + std::to_string(line) + ": " + why);
}

Result<desk::DeskConfig> config_from(const json& header) {
    desk::DeskConfig config;
    auto c = header.find("config");
    if (c == header.end()) return config;
    if (!c->is_object()) return make_error("bad_log", "line 1: \"config\" must be an object.");
    for (auto [name, field] : {std::pair{"request_timeout_ms", &config.request_timeout_ms},
                               std::pair{"heartbeat_interval_ms", &config.heartbeat_interval_ms},
                               std::pair{"reconnect_base_ms", &config.reconnect_base_ms},
                               std::pair{"reconnect_cap_ms", &config.reconnect_cap_ms},
                               std::pair{"login_wait_ms", &config.login_wait_ms}}) {
        auto it = c->find(name);
        if (it == c->end()) continue;
        if (!it->is_number_integer() || it->get<int64_t>() <= 0)
            return make_error("bad_log", std::string("line 1: \"config.") + name + "\" must be a positive number.");
        *field = it->get<int64_t>();
    }
    return config;
}

}  // namespace

Result<Replay> replay(std::string_view log, const ReplayStep& step) {
    Replay out;
    std::optional<desk::Desk> desk;
    size_t line_no = 0;
    bool ended = false;
    while (!log.empty()) {
        size_t nl = log.find('\n');
        std::string_view line = log.substr(0, nl);
        log = nl == std::string_view::npos ? std::string_view() : log.substr(nl + 1);
        ++line_no;
        if (line.empty() || line == "\r") continue;
        // A log is read from a file someone sent: nothing recursive may see a tree deeper than a
        // log line can be (an event, or the end line's state, is a few levels deep).
        if (protocol::nested_too_deep(line)) return bad_log(line_no, "nested too deep to be a log line.");
        json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!j.is_object()) return bad_log(line_no, "not a JSON object.");
        if (!desk) {
            auto version = j.find("switchboard_log");
            if (version == j.end() || !version->is_number_integer())
                return bad_log(line_no, "not a Switchboard session log (no \"switchboard_log\" header).");
            if (version->get<int64_t>() != kLogVersion)
                return bad_log(line_no, "log version " + std::to_string(version->get<int64_t>()) +
                                            "; this build reads version " + std::to_string(kLogVersion) + ".");
            auto config = config_from(j);
            if (!config) return config.error();
            desk.emplace(config.value());
            continue;
        }
        if (ended) return bad_log(line_no, "something follows the end line.");
        if (j.contains("end")) {
            ended = true;
            out.truncated = j.value("truncated", false);
            if (auto s = j.find("state"); s != j.end()) out.recorded_state = *s;
            continue;
        }
        auto t = j.find("t");
        if (t == j.end() || !t->is_number_integer()) return bad_log(line_no, "\"t\" must be a time in ms.");
        auto e = j.find("event");
        if (e == j.end()) return bad_log(line_no, "no \"event\".");
        auto event = desk::event_from_json(*e);
        if (!event) return bad_log(line_no, event.error().message);
        out.at = t->get<int64_t>();
        auto effects = desk->handle(out.at, event.value());
        ++out.events;
        if (step) step(out.at, event.value(), effects);
    }
    if (!desk) return make_error("bad_log", "The log is empty.");
    out.state = redact_json(desk::state_to_json(desk->state(), out.at));
    return out;
}

std::optional<std::string> first_difference(const json& a, const json& b, const std::string& path) {
    auto shown = [](const json& v) {
        std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
        return s.size() > 80 ? s.substr(0, 77) + "..." : s;
    };
    if (a.type() != b.type() && !(a.is_number() && b.is_number()))
        return (path.empty() ? "/" : path) + ": " + shown(a) + " != " + shown(b);
    if (a.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            auto other = b.find(it.key());
            if (other == b.end()) return path + "/" + it.key() + ": only in the first";
            if (auto d = first_difference(it.value(), *other, path + "/" + it.key())) return d;
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key())) return path + "/" + it.key() + ": only in the second";
        return std::nullopt;
    }
    if (a.is_array()) {
        for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
            if (auto d = first_difference(a[i], b[i], path + "/" + std::to_string(i))) return d;
        if (a.size() != b.size())
            return path + ": " + std::to_string(a.size()) + " items != " + std::to_string(b.size()) + " items";
        return std::nullopt;
    }
    if (a != b) return (path.empty() ? "/" : path) + ": " + shown(a) + " != " + shown(b);
    return std::nullopt;
}

}  // namespace sb::platform
