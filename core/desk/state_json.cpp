#include "desk/state_json.h"

namespace sb::desk {

using nlohmann::json;

json error_to_json(const Error& e) {
    json j = {{"code", e.code}, {"message", e.message}};
    if (e.retry_after_ms) j["retry_after_ms"] = *e.retry_after_ms;
    return j;
}

namespace {
json contacts_json(const DeskState& s) {
    json out = json::array();
    for (const auto& c : s.contacts) {
        json j = contact::to_json(c);
        j["unread"] = unread_count(s, c);
        if (c.channel == contact::Channel::Voice) {
            j["state"] = std::string(voice_state(s, c));
            const Call* call = find_call_for(s, c.id);
            json live = call ? call_json(s, *call) : json(nullptr);
            if (!j["call"].is_object()) j["call"] = json::object();
            j["call"]["live"] = std::move(live);  // what the phone is doing now; null without a call
        }
        auto d = s.drafts.find(c.id);
        json draft = {{"text", d == s.drafts.end() ? std::string() : d->second.text}, {"wrap_up", nullptr}};
        if (d != s.drafts.end() && d->second.wrap_up)
            draft["wrap_up"] = {{"disposition", d->second.wrap_up->disposition},
                                {"notes", d->second.wrap_up->notes},
                                {"tags", d->second.wrap_up->tags}};
        j["draft"] = std::move(draft);
        out.push_back(std::move(j));
    }
    return out;
}

json calls_json(const DeskState& s) {
    json out = json::array();
    for (const auto& c : s.calls) out.push_back(call_json(s, c));
    return out;
}

json queues_json(const DeskState& s) {
    json out = json::array();
    for (const auto& q : s.queues) {
        json d = json::array();
        for (const auto& x : q.dispositions) d.push_back({{"code", x.code}, {"label", x.label}});
        out.push_back({{"code", q.code}, {"name", q.name}, {"number", q.number}, {"dispositions", std::move(d)}});
    }
    return out;
}

// Sign-in's second factor; the challenge token itself stays in the desk.
json mfa_json(const DeskState& s) {
    if (!s.mfa) return nullptr;
    const MfaChallenge& m = *s.mfa;
    json j = {{"step", m.step},
              {"expires_at", m.expires_at_ms},
              {"attempts_left", m.attempts_left ? json(*m.attempts_left) : json(nullptr)},
              {"verifying", m.verifying}};
    if (m.step == "enroll") {
        j["secret"] = m.secret;
        j["otpauth"] = m.otpauth;
        j["qr"] = m.qr_size ? json{{"size", m.qr_size}, {"modules", m.qr_modules}} : json(nullptr);
    }
    return j;
}

json sessions_json(const DeskState& s) {
    json out = json::array();
    for (const auto& x : s.sessions)
        out.push_back({{"id", x.id}, {"address", x.address}, {"created_at", x.created_at_ms},
                       {"last_seen", x.last_seen_ms}, {"expires_at", x.expires_at_ms}, {"current", x.current}});
    return out;
}

json agent_search_json(const DeskState& s) {
    json found = json::array();
    for (const auto& a : s.agent_search.found)
        found.push_back({{"username", a.username}, {"display_name", a.display_name},
                         {"state", std::string(agent::to_string(a.state))}});
    return {{"query", s.agent_search.query}, {"answered", s.agent_search.answered}, {"found", std::move(found)},
            {"more", s.agent_search.more}, {"pending", agent_search_pending(s)}};
}

json canned_json(const DeskState& s) {
    json out = json::array();
    for (const auto& c : s.canned_responses) out.push_back({{"id", c.id}, {"title", c.title}, {"text", c.text}});
    return out;
}
}  // namespace

json devices_json(const AudioSettings& a) {
    if (!a.known) return nullptr;
    json list = json::array();
    for (const auto& d : a.devices) list.push_back({{"kind", d.kind}, {"id", d.id}, {"label", d.label}});
    return json{{"list", std::move(list)}, {"input", a.input}, {"output", a.output}, {"ringer", a.ringer},
                {"microphone", a.microphone}, {"error", a.error.empty() ? json(nullptr) : json(a.error)}};
}

json state_to_json(const DeskState& s, int64_t now_ms) {
    json connection = {{"state", std::string(to_string(s.connection))},
                       {"since", s.connection_since_ms},
                       {"error", s.connection_error.empty() ? json(nullptr) : json(s.connection_error)}};
    if (s.connection == ConnectionState::WaitingToReconnect) connection["retry_at"] = s.reconnect_at_ms;

    json agent = nullptr;
    if (s.agent) {
        agent = agent::to_json(*s.agent);
        agent["activity"] = std::string(to_string(activity_of(s)));
        agent["state_elapsed_ms"] = state_elapsed_ms(s, now_ms);
        if (s.presence_pending) {
            agent["pending"] = {{"state", std::string(agent::to_string(s.presence_pending->state))},
                                {"reason", s.presence_pending->reason.empty() ? json(nullptr)
                                                                              : json(s.presence_pending->reason)}};
        }
    }
    json reasons = json::array();
    for (const auto& r : s.reason_codes) reasons.push_back(agent::to_json(r));

    return json{{"connection", std::move(connection)},
                {"session", {{"state", std::string(to_string(s.session))},
                             {"error", s.login_error ? error_to_json(*s.login_error) : json(nullptr)},
                             {"expires_at", s.token_expires_at_ms ? json(s.token_expires_at_ms) : json(nullptr)},
                             {"id", s.session_id.empty() ? json(nullptr) : json(s.session_id)},
                             {"mfa", mfa_json(s)},
                             {"locked_until", s.locked_until_ms ? json(s.locked_until_ms) : json(nullptr)},
                             {"recovery_codes", s.recovery_codes},
                             {"sessions", sessions_json(s)}}},
                {"agent", std::move(agent)},
                {"reason_codes", std::move(reasons)},
                {"contacts", contacts_json(s)},
                {"calls", calls_json(s)},
                {"notice", s.notice.empty() ? json(nullptr) : json(s.notice)},
                {"queues", queues_json(s)},
                {"canned_responses", canned_json(s)},
                {"agent_search", agent_search_json(s)},
                {"voice", {{"available", s.voice.available},
                           {"uri", s.voice.available ? json(s.voice.uri) : json(nullptr)},
                           {"transport", std::string(to_string(s.voice.transport))},
                           {"owner", std::string(to_string(s.voice.owner))},
                           {"registration", std::string(sip::to_string(s.voice.registration))},
                           {"error", s.voice.error ? error_to_json(*s.voice.error) : json(nullptr)},
                           {"devices", devices_json(s.audio)}}},
                {"last_seq", s.last_seq}};
}

}  // namespace sb::desk
