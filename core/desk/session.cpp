// desk/session.cpp: the agent's session. Login, resume after a reconnect or a reload, presence
// changes, logout, and the backend's events (applied once each, in seq order).
#include "desk/desk.h"

#include <algorithm>

#include "protocol/schema.h"
#include "util/text.h"

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
    else if (const auto* in = std::get_if<FindAgentsIntent>(&e.intent)) find_agents(e.id, *in, out);
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

void Desk::on_session_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    bool is_resume = req.kind == RequestKind::Resume;
    if (!reply.ok) {
        if (!is_resume) return on_login_refused(req, reply, out);
        const Error& e = reply.error;
        end_session(make_error(e.code, e.code == protocol::code::token_expired
                                           ? "Your session expired. Please sign in again."
                                       : e.code == protocol::code::account_disabled
                                           ? "This account is disabled; ask a supervisor."
                                           : "Your session ended. Please sign in again."),
                    out);
        return;
    }
    auto decoded = protocol::decode_login_result(reply.result.root());
    if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);
    if (const auto* prompt = std::get_if<protocol::MfaPrompt>(&decoded.value())) {
        if (is_resume || state_.session != SessionState::LoggingIn)
            return refuse_reply(req, reply, "a second factor was asked for where a session was expected", out);
        return on_mfa_challenge(req, *prompt, out);
    }
    const protocol::Session& s = std::get<protocol::Session>(decoded.value());
    for (const Error& e : s.refused) log(out, LogLevel::Warn, "session: left out what could not be read: " + e.message);
    state_.token = s.token;
    state_.token_expires_at_ms = s.expires_at_ms;
    state_.agent = s.agent;
    state_.reason_codes = s.reason_codes;
    state_.login_error.reset();
    state_.locked_until_ms = 0;
    state_.session_id = s.session_id;
    if (s.recovery_codes) state_.recovery_codes = *s.recovery_codes;  // shown once, until the agent says they saved them (mfa_done)
    // After a login the snapshot is the truth up to `seq`; after a resume the backend now replays
    // what we missed (seq > last_seq), which the event handler applies and announces.
    if (!is_resume) state_.last_seq = s.seq;
    set_session(SessionState::LoggedIn, out);
    apply_session_contacts(s, out);
    start_voice(s, out);
    persist_session(out);
    out.push_back(Notify{"agent.state", agent::to_json(*state_.agent)});
    if (req.intent) complete(out, *req.intent, json{{"agent", agent::to_json(*state_.agent)}});
    flush_outbox(out);  // what the agent wrote while disconnected
    report_call_ends(out);  // calls that ended while disconnected
}

// Every event persists the session, and only last_seq changes from one to the next: the rest of
// the record ({"last_seq":N,"token":...,"username":...}, keys in nlohmann's order) is written
// once per token and username, not once per event.
void Desk::persist_session(Out& out) {
    const std::string& username = state_.agent ? state_.agent->username : std::string();
    auto& cached = persisted_session_;
    if (cached.tail.empty() || cached.token != state_.token || cached.username != username) {
        cached.token = state_.token;
        cached.username = username;
        json rest = {{"token", state_.token}, {"username", username}};
        cached.tail = rest.dump(-1, ' ', false, json::error_handler_t::replace).substr(1);  // without its '{'
    }
    std::string seq = std::to_string(state_.last_seq);
    std::string text;
    text.reserve(14 + seq.size() + cached.tail.size());
    text.append("{\"last_seq\":").append(seq).append(1, ',').append(cached.tail);
    out.push_back(Persist{"session", std::move(text)});
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
    state_.agent_search = {};
    state_.agent_names_wanted.clear();
    state_.agent_names_asked.clear();
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

void Desk::on_reply(const PendingRequest& req, protocol::ReplyFrame& reply, Out& out) {
    switch (req.kind) {
        case RequestKind::Login:
        case RequestKind::Resume: return on_session_reply(req, reply, out);
        case RequestKind::SetState: {
            if (!reply.ok) {
                state_.presence_pending.reset();
                state_.notice = reply.error.message;
                if (req.intent) complete(out, *req.intent, reply.error);
                return;
            }
            auto agent = protocol::decode_set_state_result(reply.result.root());
            if (!agent) return refuse_reply(req, reply, agent.error().message, out);
            state_.presence_pending.reset();
            state_.agent = agent.value();
            if (req.intent) complete(out, *req.intent, json{{"agent", agent::to_json(*state_.agent)}});
            return;
        }
        case RequestKind::Logout:
            end_session(std::nullopt, out);
            if (req.intent) complete(out, *req.intent, json{{"revoked", reply.ok}});
            return;
        case RequestKind::Contact: return on_contact_reply(req, reply, out);
        case RequestKind::SendMessage: return on_send_message_reply(req, reply, out);
        case RequestKind::Dial: return on_dial_reply(req, reply, out);
        case RequestKind::Sessions: return on_sessions_reply(req, reply, out);
        case RequestKind::Agents: return on_agents_reply(req, reply, out);
        case RequestKind::AgentNames: {  // names for the views; without them, usernames are shown
            if (!reply.ok) return;
            auto decoded = protocol::decode_agents_result(reply.result.root());
            if (!decoded) return log(out, LogLevel::Warn, "refused the agents' names: " + decoded.error().message);
            return remember_agents(decoded.value().agents);
        }
        case RequestKind::Messages: return on_messages_reply(req, reply, out);
        default: return;
    }
}

void Desk::on_event(const protocol::EventFrame& frame, Out& out) {
    if (frame.seq <= state_.last_seq) return;  // already applied (a resume may overlap what we saw)
    if (state_.session != SessionState::LoggedIn) {
        log(out, LogLevel::Warn, "event before the session is established; ignored");
        return;
    }
    // An event that cannot be read is refused, but its seq counts as seen: the backend would
    // replay the same unreadable event after every resume.
    auto decoded = protocol::decode_event(frame);
    if (!decoded) {
        log(out, LogLevel::Warn, "refused the event " + frame.name.substr(0, 64) + " (seq " + std::to_string(frame.seq) +
                                     "): " + decoded.error().message);
    } else if (const auto* revoked = std::get_if<protocol::SessionRevoked>(&decoded.value())) {
        if (!revoked->session.empty() && revoked->session == state_.session_id) {
            // Signed out from another desk, or the account was disabled: this session is over at
            // once, nothing to resume.
            if (revoked->reason == "disabled")
                return end_session(make_error(protocol::code::account_disabled, "This account is disabled; ask a supervisor."), out);
            return end_session(make_error("session_revoked", "This session was signed out from another device."), out);
        }
        std::erase_if(state_.sessions, [&](const SessionInfo& x) { return x.id == revoked->session; });
    } else if (on_contact_event(decoded.value(), out)) {
        // applied
    } else if (const auto* changed = std::get_if<protocol::AgentChanged>(&decoded.value())) {
        if (state_.agent && changed->agent.username == state_.agent->username) {
            state_.agent = changed->agent;
            out.push_back(Notify{"agent.state", agent::to_json(*state_.agent)});
        }
    } else {
        log(out, LogLevel::Debug, "event " + frame.name.substr(0, 64) + " not handled by this desk");
    }
    state_.last_seq = frame.seq;
    persist_session(out);
}

// ---- the second factor --------------------------------------------------------------------

void Desk::on_mfa_challenge(const PendingRequest& req, const protocol::MfaPrompt& m, Out& out) {
    for (const Error& e : m.refused) log(out, LogLevel::Warn, "mfa: left out what could not be read: " + e.message);
    MfaChallenge c;
    c.step = m.step;
    c.challenge = m.challenge;
    c.expires_at_ms = m.expires_at_ms;
    if (c.step == "enroll") {
        c.secret = m.secret;
        c.otpauth = m.otpauth;
        c.qr_size = m.qr_size;
        c.qr_modules = m.qr_modules;
    }
    json result = {{"mfa", {{"step", c.step}, {"expires_at", c.expires_at_ms}}}};
    state_.login_error.reset();
    set_session(SessionState::MfaRequired, out);
    state_.mfa = std::move(c);
    out.push_back(Notify{"mfa", result["mfa"]});
    if (req.intent) complete(out, *req.intent, std::move(result));
}

void Desk::on_login_refused(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    const Error& e = reply.error;
    // A wrong code keeps the challenge: the agent types the next one.
    if (state_.session == SessionState::MfaRequired && state_.mfa && e.code == "invalid_code") {
        state_.mfa->verifying = false;
        if (reply.attempts_left) state_.mfa->attempts_left = static_cast<int>(*reply.attempts_left);
        state_.login_error = e;
        out.push_back(Notify{"session", {{"state", "mfa_required"}, {"error", {{"code", e.code}, {"message", e.message}}}}});
        if (req.intent) complete(out, *req.intent, e);
        return;
    }
    if (e.code == "account_locked") state_.locked_until_ms = reply.locked_until_ms;
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

// ---- colleagues, found by name ------------------------------------------------------------------

void Desk::find_agents(uint64_t intent, const FindAgentsIntent& in, Out& out) {
    if (state_.session != SessionState::LoggedIn)
        return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    if (text::utf8_length(in.query) > protocol::kMaxAgentQuery)
        return complete(out, intent, make_error("bad_intent", "Type at most " + std::to_string(protocol::kMaxAgentQuery) +
                                                                  " characters of a name."));
    state_.agent_search.query = in.query;
    json body = {{"type", "agents"}};
    if (!in.query.empty()) body["query"] = in.query;
    std::string id = send_request(RequestKind::Agents, std::move(body), intent, out);
    state_.pending[id].query = in.query;
}

void Desk::on_agents_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    if (!reply.ok) {
        if (req.query == state_.agent_search.query) {  // answered all the same, with nobody: no more waiting
            state_.agent_search.answered = req.query;
            state_.agent_search.found.clear();
            state_.agent_search.more = false;
        }
        if (req.intent) complete(out, *req.intent, reply.error);
        return;
    }
    auto decoded = protocol::decode_agents_result(reply.result.root());
    if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);
    remember_agents(decoded.value().agents);
    // Typing outruns the answers: only the answer to what the search box holds now is shown.
    if (req.query == state_.agent_search.query) {
        state_.agent_search.answered = req.query;
        state_.agent_search.found = std::move(decoded.value().agents);
        state_.agent_search.more = decoded.value().more;
    }
    if (req.intent) complete(out, *req.intent, protocol::to_nlohmann(reply.result.root()));
}

void Desk::remember_agents(const std::vector<contact::AgentSummary>& agents) {
    for (const auto& a : agents) {
        state_.agent_names_asked.insert(a.username);
        auto known = std::find_if(state_.agents.begin(), state_.agents.end(),
                                  [&](const contact::AgentSummary& k) { return k.username == a.username; });
        if (known != state_.agents.end()) state_.agents.erase(known);
        state_.agents.push_back(a);  // the latest last
    }
    if (state_.agents.size() > DeskState::kKnownAgents)
        state_.agents.erase(state_.agents.begin(),
                            state_.agents.begin() + static_cast<std::ptrdiff_t>(state_.agents.size() - DeskState::kKnownAgents));
}

void Desk::want_agent_name(const std::string& username) {
    if (username.empty() || (state_.agent && username == state_.agent->username)) return;
    if (state_.agent_names_asked.count(username)) return;
    if (std::find(state_.agent_names_wanted.begin(), state_.agent_names_wanted.end(), username) !=
        state_.agent_names_wanted.end())
        return;
    state_.agent_names_wanted.push_back(username);
}

void Desk::want_agent_names(const contact::Contact& c) {
    if (c.transfer) want_agent_name(c.transfer->from);
    for (const auto& h : c.customer.history) want_agent_name(h.agent);
}

void Desk::ask_agent_names(Out& out) {
    if (state_.agent_names_wanted.empty() || state_.session != SessionState::LoggedIn ||
        state_.connection != ConnectionState::Connected)
        return;
    // Asked once per session: an unknown username (a deleted agent) is not asked again. The
    // record is bounded; past it, names may be asked twice, never without end.
    if (state_.agent_names_asked.size() > 4 * DeskState::kKnownAgents) state_.agent_names_asked.clear();
    json usernames = json::array();
    auto& wanted = state_.agent_names_wanted;
    std::size_t n = std::min<std::size_t>(wanted.size(), protocol::kMaxAgentsPage);
    for (std::size_t i = 0; i < n; ++i) {
        usernames.push_back(wanted[i]);
        state_.agent_names_asked.insert(wanted[i]);
    }
    wanted.erase(wanted.begin(), wanted.begin() + static_cast<std::ptrdiff_t>(n));
    send_request(RequestKind::AgentNames, json{{"type", "agents"}, {"usernames", std::move(usernames)}}, std::nullopt,
                 out);
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

void Desk::on_sessions_reply(const PendingRequest& req, const protocol::ReplyFrame& reply, Out& out) {
    if (!reply.ok) {
        if (req.intent) complete(out, *req.intent, reply.error);
        return;
    }
    auto decoded = protocol::decode_sessions_result(reply.result.root());
    if (!decoded) return refuse_reply(req, reply, decoded.error().message, out);
    if (decoded.value().sessions) {
        state_.sessions = *decoded.value().sessions;
    } else {
        for (const std::string& id : decoded.value().revoked)
            std::erase_if(state_.sessions, [&](const SessionInfo& x) { return x.id == id; });
    }
    if (req.intent) complete(out, *req.intent, protocol::to_nlohmann(reply.result.root()));
}

}  // namespace sb::desk
