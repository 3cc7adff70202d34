// desk/session.cpp: the agent's session. Login, resume after a reconnect or a reload, presence
// changes, logout, and the backend's events (applied once each, in seq order).
#include "desk/desk.h"
#include "protocol/schema.h"

namespace sb::desk {

using nlohmann::json;


void Desk::set_session(SessionState to, Out& out) {
    if (state_.session == to) return;
    if (!session_transition_allowed(state_.session, to)) {
        log(out, LogLevel::Error,
            "session: refused move " + std::string(to_string(state_.session)) + " -> " + std::string(to_string(to)));
        return;
    }
    state_.session = to;
    if (to != SessionState::MfaRequired) state_.mfa.reset();  // a challenge lives only in mfa_required
    json data = {{"state", std::string(to_string(to))}};
    if (state_.login_error) data["error"] = {{"code", state_.login_error->code}, {"message", state_.login_error->message}};
    out.push_back(Notify{"session", std::move(data)});
}

void Desk::on_intent(const IntentReceived& e, Out& out) {
    if (const auto* in = std::get_if<LoginIntent>(&e.intent)) login(e.id, *in, out);
    else if (const auto* in = std::get_if<SetStateIntent>(&e.intent)) set_state(e.id, *in, out);
    else if (std::holds_alternative<LogoutIntent>(e.intent)) logout(e.id, out);
    else if (const auto* in = std::get_if<MfaIntent>(&e.intent)) mfa(e.id, *in, out);
    else if (std::holds_alternative<MfaDoneIntent>(e.intent)) mfa_done(e.id, out);
    else if (std::holds_alternative<SessionsIntent>(e.intent)) list_sessions(e.id, out);
    else if (const auto* in = std::get_if<RevokeSessionIntent>(&e.intent)) revoke_session(e.id, *in, out);
    else if (std::holds_alternative<TakePhoneIntent>(e.intent)) take_phone(e.id, out);
    else if (std::holds_alternative<PaymentStartIntent>(e.intent) || std::holds_alternative<PaymentSubmitIntent>(e.intent) ||
             std::holds_alternative<PaymentCancelIntent>(e.intent) || std::holds_alternative<RefundIntent>(e.intent))
        on_payment_intent(e.id, e.intent, out);
    else if (std::holds_alternative<DialIntent>(e.intent) || std::holds_alternative<AnswerIntent>(e.intent) ||
             std::holds_alternative<HangupIntent>(e.intent) || std::holds_alternative<HoldIntent>(e.intent) ||
             std::holds_alternative<MuteIntent>(e.intent) || std::holds_alternative<DtmfIntent>(e.intent))
        on_call_intent(e.id, e.intent, out);
    else on_contact_intent(e.id, e.intent, out);
}

// ---- login -----------------------------------------------------------------------------------

void Desk::login(uint64_t intent, const LoginIntent& in, Out& out) {
    if (state_.session != SessionState::LoggedOut)
        return complete(out, intent, make_error("already_logged_in", "Already signed in (or signing in)."));
    if (in.username.empty() || in.password.empty())
        return complete(out, intent, make_error("bad_intent", "Enter your username and password."));
    if (state_.queued_login_intent)
        return complete(out, intent, make_error("login_in_progress", "A sign-in is already waiting for the connection."));
    state_.token.clear();  // a fresh login replaces any session that was waiting to resume
    state_.login_error.reset();
    state_.locked_until_ms = 0;
    state_.recovery_codes.clear();
    if (state_.connection != ConnectionState::Connected) {
        state_.queued_login_intent = intent;
        state_.queued_login_username = in.username;
        state_.queued_login_password = in.password;
        out.push_back(StartTimer{TimerId::LoginWait, config_.login_wait_ms});
        return;
    }
    send_login(intent, in.username, in.password, out);
}

void Desk::send_login(uint64_t intent, const std::string& username, const std::string& password, Out& out) {
    set_session(SessionState::LoggingIn, out);
    send_request(RequestKind::Login, json{{"type", "login"}, {"username", username}, {"password", password}}, intent,
                 out);
}

void Desk::fail_queued_login(const Error& e, Out& out) {
    uint64_t intent = *state_.queued_login_intent;
    state_.queued_login_intent.reset();
    state_.queued_login_password.clear();
    state_.login_error = e;
    complete(out, intent, e);
    out.push_back(Notify{"session", {{"state", "logged_out"}, {"error", {{"code", e.code}, {"message", e.message}}}}});
}

void Desk::send_resume(Out& out) {
    set_session(SessionState::Resuming, out);
    send_request(RequestKind::Resume, json{{"type", "resume"}, {"token", state_.token}, {"last_seq", state_.last_seq}},
                 std::nullopt, out);
}

void Desk::on_session_reply(const PendingRequest& req, const json& frame, Out& out) {
    bool is_resume = req.kind == RequestKind::Resume;
    if (!frame.value("ok", false)) {
        if (!is_resume) return on_login_refused(req, frame, out);
        Error e = reply_error_of(frame);
        end_session(make_error(e.code, e.code == protocol::code::token_expired ? "Your session expired. Please sign in again."
                                       : e.code == protocol::code::account_disabled
                                           ? "This account is disabled; ask a supervisor."
                                           : "Your session ended. Please sign in again."),
                    out);
        return;
    }
    const json& r = frame.value("result", json::object());
    if (!is_resume && r.contains("mfa") && state_.session == SessionState::LoggingIn)
        return on_mfa_challenge(req, r["mfa"], out);
    auto agent = agent::agent_from_json(r.value("agent", json()));
    auto reasons = agent::reason_codes_from_json(r.value("reason_codes", json()));
    auto token = r.find("token");
    auto seq = r.find("seq");
    if (!agent || !reasons || token == r.end() || !token->is_string() || seq == r.end() ||
        !seq->is_number_integer()) {
        Error e = make_error("internal", "The backend's session reply was incomplete.");
        log(out, LogLevel::Error, e.message);
        if (is_resume) return end_session(e, out);
        state_.login_error = e;
        set_session(SessionState::LoggedOut, out);
        if (req.intent) complete(out, *req.intent, e);
        return;
    }
    state_.token = token->get<std::string>();
    state_.token_expires_at_ms = r.value("expires_at", int64_t{0});
    state_.agent = agent.value();
    state_.reason_codes = reasons.value();
    state_.login_error.reset();
    state_.locked_until_ms = 0;
    state_.session_id = r.value("session_id", std::string());
    if (auto codes = r.find("recovery_codes"); codes != r.end() && codes->is_array()) {
        state_.recovery_codes.clear();  // shown once, until the agent says they saved them (mfa_done)
        for (const auto& c : *codes)
            if (c.is_string()) state_.recovery_codes.push_back(c.get<std::string>());
    }
    // After a login the snapshot is the truth up to `seq`; after a resume the backend now replays
    // what we missed (seq > last_seq), which the event handler applies and announces.
    if (!is_resume) state_.last_seq = seq->get<int64_t>();
    set_session(SessionState::LoggedIn, out);
    apply_session_contacts(r, out);
    start_voice(r.value("sip", json()), out);
    persist_session(out);
    out.push_back(Notify{"agent.state", agent::to_json(*state_.agent)});
    if (req.intent) complete(out, *req.intent, json{{"agent", agent::to_json(*state_.agent)}});
    flush_outbox(out);  // what the agent wrote while disconnected
    report_call_ends(out);  // calls that ended while disconnected
}

void Desk::persist_session(Out& out) {
    json record = {{"token", state_.token},
                   {"last_seq", state_.last_seq},
                   {"username", state_.agent ? state_.agent->username : std::string()}};
    out.push_back(Persist{"session", record.dump()});
}

void Desk::end_session(const std::optional<Error>& why, Out& out) {
    state_.login_error = why;
    state_.token.clear();
    state_.token_expires_at_ms = 0;
    state_.last_seq = 0;
    state_.agent.reset();
    state_.reason_codes.clear();
    state_.presence_pending.reset();
    for (const auto& m : state_.outbox)
        if (m.intent && !m.in_flight) complete(out, *m.intent, make_error("not_logged_in", "The session ended."));
    state_.outbox.clear();
    state_.contacts.clear();
    state_.queues.clear();
    state_.canned_responses.clear();
    state_.agents.clear();
    state_.recovery_codes.clear();
    state_.session_id.clear();
    state_.sessions.clear();
    state_.read_upto.clear();
    state_.drafts.clear();
    stop_voice(out);
    set_session(SessionState::LoggedOut, out);
    out.push_back(Persist{"session", std::nullopt});
    out.push_back(Persist{"drafts", std::nullopt});
}

// ---- presence ------------------------------------------------------------------------------

void Desk::set_state(uint64_t intent, const SetStateIntent& in, Out& out) {
    if (state_.session != SessionState::LoggedIn || !state_.agent)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent,
                        make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    if (Status s = agent::check_presence_change(in.state, in.reason, state_.reason_codes); !s)
        return complete(out, intent, s.error());
    std::string reason = in.reason.value_or("");
    if (state_.agent->state == in.state && state_.agent->reason == reason && !state_.presence_pending)
        return complete(out, intent, json{{"agent", agent::to_json(*state_.agent)}});
    state_.presence_pending = PresenceRequest{in.state, reason};
    state_.notice.clear();
    json body = {{"type", "set_state"}, {"state", std::string(agent::to_string(in.state))}};
    if (in.reason) body["reason"] = *in.reason;
    send_request(RequestKind::SetState, std::move(body), intent, out);
}

// ---- logout --------------------------------------------------------------------------------

void Desk::logout(uint64_t intent, Out& out) {
    if (state_.session == SessionState::MfaRequired) {  // "Back" from the code: start over
        state_.login_error.reset();
        set_session(SessionState::LoggedOut, out);
        return complete(out, intent, json{{"revoked", false}});
    }
    if (state_.session != SessionState::LoggedIn && state_.session != SessionState::Resuming)
        return complete(out, intent, make_error("not_logged_in", "Not signed in."));
    if (state_.connection != ConnectionState::Connected || state_.session == SessionState::Resuming) {
        // Signing out must work offline too; the token then simply expires on the backend.
        end_session(std::nullopt, out);
        return complete(out, intent, json{{"revoked", false}});
    }
    set_session(SessionState::LoggingOut, out);
    send_request(RequestKind::Logout, json{{"type", "logout"}}, intent, out);
}

// ---- replies and events ------------------------------------------------------------------

void Desk::on_reply(const PendingRequest& req, const json& frame, Out& out) {
    switch (req.kind) {
        case RequestKind::Login:
        case RequestKind::Resume: return on_session_reply(req, frame, out);
        case RequestKind::SetState: {
            state_.presence_pending.reset();
            if (!frame.value("ok", false)) {
                Error e = reply_error_of(frame);
                state_.notice = e.message;
                if (req.intent) complete(out, *req.intent, e);
                return;
            }
            const json& r = frame.value("result", json::object());
            auto agent = agent::agent_from_json(r.value("agent", json()));
            if (agent) state_.agent = agent.value();
            if (req.intent) complete(out, *req.intent, json{{"agent", agent::to_json(*state_.agent)}});
            return;
        }
        case RequestKind::Logout:
            end_session(std::nullopt, out);
            if (req.intent) complete(out, *req.intent, json{{"revoked", frame.value("ok", false)}});
            return;
        case RequestKind::Contact: return on_contact_reply(req, frame, out);
        case RequestKind::SendMessage: return on_send_message_reply(req, frame, out);
        case RequestKind::Dial: return on_dial_reply(req, frame, out);
        case RequestKind::Sessions: return on_sessions_reply(req, frame, out);
        default: return;
    }
}

void Desk::on_event(const json& frame, Out& out) {
    auto seq = frame.find("seq");
    auto name = frame.find("event");
    if (seq == frame.end() || !seq->is_number_integer() || name == frame.end() || !name->is_string()) {
        log(out, LogLevel::Warn, "backend sent an event without seq or name; ignored");
        return;
    }
    int64_t n = seq->get<int64_t>();
    if (n <= state_.last_seq) return;  // already applied (a resume may overlap what we saw)
    if (state_.session != SessionState::LoggedIn) {
        log(out, LogLevel::Warn, "event before the session is established; ignored");
        return;
    }
    const json& data = frame.value("data", json::object());
    if (*name == "session.revoked") {
        std::string id = data.value("session", std::string());
        if (!id.empty() && id == state_.session_id) {
            // Signed out from another desk, or the account was disabled: this session is over at
            // once, nothing to resume.
            if (data.value("reason", std::string()) == "disabled")
                return end_session(make_error(protocol::code::account_disabled, "This account is disabled; ask a supervisor."), out);
            return end_session(make_error("session_revoked", "This session was signed out from another device."), out);
        }
        std::erase_if(state_.sessions, [&](const SessionInfo& x) { return x.id == id; });
    } else if (on_contact_event(name->get<std::string>(), data, out)) {
        // applied
    } else if (*name == "agent.state") {
        auto agent = agent::agent_from_json(data);
        if (!agent) {
            log(out, LogLevel::Warn, "agent.state event unreadable: " + agent.error().message);
        } else if (state_.agent && agent.value().username == state_.agent->username) {
            state_.agent = agent.value();
            out.push_back(Notify{"agent.state", agent::to_json(*state_.agent)});
        }
    } else {
        log(out, LogLevel::Debug, "event " + name->get<std::string>() + " not handled by this desk");
    }
    state_.last_seq = n;
    persist_session(out);
}

// ---- the second factor --------------------------------------------------------------------

void Desk::on_mfa_challenge(const PendingRequest& req, const json& m, Out& out) {
    MfaChallenge c;
    c.step = m.value("step", std::string());
    c.challenge = m.value("challenge", std::string());
    c.expires_at_ms = m.value("expires_at", int64_t{0});
    if ((c.step != "code" && c.step != "enroll") || c.challenge.empty()) {
        Error e = make_error("internal", "The backend asked for a second factor this desk does not know.");
        log(out, LogLevel::Error, e.message);
        state_.login_error = e;
        set_session(SessionState::LoggedOut, out);
        if (req.intent) complete(out, *req.intent, e);
        return;
    }
    if (c.step == "enroll") {
        c.secret = m.value("secret", std::string());
        c.otpauth = m.value("otpauth", std::string());
        const json& qr = m.value("qr", json::object());
        int size = qr.value("size", 0);
        std::string modules = qr.value("modules", std::string());
        if (size > 0 && size <= 200 && modules.size() == static_cast<size_t>(size) * static_cast<size_t>(size)) {
            c.qr_size = size;
            c.qr_modules = std::move(modules);
        }
    }
    json result = {{"mfa", {{"step", c.step}, {"expires_at", c.expires_at_ms}}}};
    state_.login_error.reset();
    set_session(SessionState::MfaRequired, out);
    state_.mfa = std::move(c);
    out.push_back(Notify{"mfa", result["mfa"]});
    if (req.intent) complete(out, *req.intent, std::move(result));
}

void Desk::on_login_refused(const PendingRequest& req, const json& frame, Out& out) {
    Error e = reply_error_of(frame);
    const json& detail = frame.value("error", json::object());
    // A wrong code keeps the challenge: the agent types the next one.
    if (state_.session == SessionState::MfaRequired && state_.mfa && e.code == "invalid_code") {
        state_.mfa->verifying = false;
        if (auto left = detail.find("attempts_left"); left != detail.end() && left->is_number_integer())
            state_.mfa->attempts_left = left->get<int>();
        state_.login_error = e;
        out.push_back(Notify{"session", {{"state", "mfa_required"}, {"error", {{"code", e.code}, {"message", e.message}}}}});
        if (req.intent) complete(out, *req.intent, e);
        return;
    }
    if (e.code == "account_locked")
        state_.locked_until_ms = detail.value("locked_until", int64_t{0});
    state_.login_error = e;
    set_session(SessionState::LoggedOut, out);
    if (req.intent) complete(out, *req.intent, e);
}

void Desk::mfa(uint64_t intent, const MfaIntent& in, Out& out) {
    if (state_.session != SessionState::MfaRequired || !state_.mfa)
        return complete(out, intent, make_error("invalid_state", "No second step is waiting; sign in first."));
    if (state_.mfa->verifying)
        return complete(out, intent, make_error("login_in_progress", "A code is already being checked."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    json body = {{"type", "mfa"}, {"challenge", state_.mfa->challenge}};
    if (!in.code.empty()) {
        std::string digits;
        for (char c : in.code)
            if (c != ' ' && c != '-') digits += c;
        if (digits.size() != 6 || digits.find_first_not_of("0123456789") != std::string::npos)
            return complete(out, intent, make_error("bad_intent", "Enter the 6 digits your authenticator app shows."));
        body["code"] = digits;
    } else {
        if (state_.mfa->step == "enroll")
            return complete(out, intent,
                            make_error("bad_intent", "Recovery codes work once you have set up the app; enter its code."));
        body["recovery_code"] = in.recovery_code;
    }
    state_.mfa->verifying = true;
    state_.login_error.reset();
    send_request(RequestKind::Login, std::move(body), intent, out);
}

void Desk::mfa_done(uint64_t intent, Out& out) {
    if (state_.recovery_codes.empty())
        return complete(out, intent, make_error("invalid_state", "There are no recovery codes to put away."));
    state_.recovery_codes.clear();
    out.push_back(Notify{"session", {{"state", std::string(to_string(state_.session))}}});
    complete(out, intent, json::object());
}

// ---- the agent's sessions --------------------------------------------------------------------

void Desk::list_sessions(uint64_t intent, Out& out) {
    if (state_.session != SessionState::LoggedIn)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    send_request(RequestKind::Sessions, json{{"type", "sessions"}}, intent, out);
}

void Desk::revoke_session(uint64_t intent, const RevokeSessionIntent& in, Out& out) {
    if (state_.session != SessionState::LoggedIn)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    json body = {{"type", "revoke_session"}};
    if (in.all_others) body["all_others"] = true;
    else body["session"] = in.session;
    send_request(RequestKind::Sessions, std::move(body), intent, out);
}

void Desk::on_sessions_reply(const PendingRequest& req, const json& frame, Out& out) {
    if (!frame.value("ok", false)) {
        if (req.intent) complete(out, *req.intent, reply_error_of(frame));
        return;
    }
    const json& r = frame.value("result", json::object());
    if (auto list = r.find("sessions"); list != r.end() && list->is_array()) {
        state_.sessions.clear();
        for (const auto& x : *list) {
            if (!x.is_object()) continue;
            state_.sessions.push_back({x.value("id", std::string()), x.value("address", std::string()),
                                       x.value("created_at", int64_t{0}), x.value("last_seen", int64_t{0}),
                                       x.value("expires_at", int64_t{0}), x.value("current", false)});
        }
    } else if (auto ids = r.find("revoked"); ids != r.end() && ids->is_array()) {
        for (const auto& id : *ids)
            if (id.is_string())
                std::erase_if(state_.sessions, [&](const SessionInfo& x) { return x.id == id.get<std::string>(); });
    }
    if (req.intent) complete(out, *req.intent, r);
}

}  // namespace sb::desk
