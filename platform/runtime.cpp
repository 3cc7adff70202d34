#include "platform/runtime.h"

#include "contact/contact.h"
#include "desk/state_json.h"

namespace sb::platform {

using nlohmann::json;

void Runtime::start(const std::string& backend_url, uint64_t seed) {
    desk::Start start{backend_url, seed, std::nullopt};
    if (auto saved = platform_.load("session")) {
        json j = json::parse(*saved, nullptr, false);
        if (j.is_object() && j.contains("token") && j["token"].is_string() && j.contains("last_seq") &&
            j["last_seq"].is_number_integer()) {
            start.stored = desk::StoredSession{j["token"].get<std::string>(), j["last_seq"].get<int64_t>(),
                                               j.value("username", std::string())};
        }
    }
    start.stored_drafts = platform_.load("drafts").value_or("");
    feed(start);
}

void Runtime::feed(const desk::Event& event) {
    queue_.push_back(event);
    if (busy_) return;
    busy_ = true;
    while (!queue_.empty()) {
        desk::Event next = std::move(queue_.front());
        queue_.pop_front();
        const int64_t now = platform_.now_ms();
        if (recorder_) recorder_->record(now, next);
        for (const desk::Effect& effect : desk_.handle(now, next)) perform(effect);
    }
    busy_ = false;
    platform_.request_redraw();
}

void Runtime::record(const std::string& build, size_t max_bytes) {
    recorder_ = std::make_unique<Recorder>(build, config_, max_bytes);
}

std::optional<std::string> Runtime::support_log() const {
    if (!recorder_) return std::nullopt;
    return recorder_->log(desk_.state());
}

uint64_t Runtime::dispatch(desk::Intent intent) {
    uint64_t id = next_intent_++;
    feed(desk::IntentReceived{id, std::move(intent)});
    return id;
}

uint64_t Runtime::dispatch_json(const json& j) {
    auto intent = desk::intent_from_json(j);
    if (!intent) {
        uint64_t id = next_intent_++;
        platform_.complete_intent(id, json{{"ok", false}, {"error", desk::error_to_json(intent.error())}});
        return id;
    }
    return dispatch(std::move(intent.value()));
}

void Runtime::perform(const desk::Effect& effect) {
    using namespace desk;
    if (auto* e = std::get_if<OpenTransport>(&effect)) platform_.open_transport(e->url);
    else if (std::holds_alternative<CloseTransport>(effect)) platform_.close_transport();
    else if (auto* e = std::get_if<SendFrame>(&effect)) platform_.send_frame(e->text);
    else if (auto* e = std::get_if<StartTimer>(&effect)) platform_.start_timer(e->timer, e->delay_ms);
    else if (auto* e = std::get_if<CancelTimer>(&effect)) platform_.cancel_timer(e->timer);
    else if (auto* e = std::get_if<CompleteIntent>(&effect)) {
        json reply = e->error ? json{{"ok", false}, {"error", error_to_json(*e->error)}} : json{{"ok", true}};
        if (!e->error) {
            json result = e->result_value();
            if (result.is_object())
                for (auto it = result.begin(); it != result.end(); ++it) reply[it.key()] = std::move(it.value());
        }
        platform_.complete_intent(e->id, reply);
    } else if (auto* e = std::get_if<Notify>(&effect)) {
        if (!platform_.listens(e->event)) return;
        if (e->contact.empty()) platform_.notify(e->event, e->data);
        else if (const auto* c = desk::find_contact(desk_.state(), e->contact)) platform_.notify(e->event, contact::to_json(*c));
    }
    else if (auto* e = std::get_if<Persist>(&effect)) platform_.persist(e->key, e->value);
    else if (auto* e = std::get_if<Log>(&effect)) platform_.log(e->level, e->message);
    else if (auto* e = std::get_if<OpenSipTransport>(&effect)) platform_.open_sip(e->url);
    else if (std::holds_alternative<CloseSipTransport>(effect)) platform_.close_sip();
    else if (auto* e = std::get_if<SendSip>(&effect)) platform_.send_sip(e->text);
    else if (auto* e = std::get_if<Media>(&effect)) platform_.media(*e);
    else if (auto* e = std::get_if<ClaimPhone>(&effect)) platform_.claim_phone(e->agent, e->take_over);
    else if (std::holds_alternative<ReleasePhone>(effect)) platform_.release_phone();
    else if (auto* e = std::get_if<Devices>(&effect)) platform_.devices(*e);
}

}  // namespace sb::platform
