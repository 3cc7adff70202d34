// desk_service.cpp: the desk protocol's request handlers (see desk_service.h).
#include "server/desk/desk_service.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "agent/presence.h"
#include "server/contacts/contact_json.h"
#include "server/payments/payments.h"
#include "util/text.h"

#include <sodium.h>

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;
using sb::agent::AgentSnapshot;
using sb::agent::Presence;

namespace {
// Version 3: the session lists no agents (the `agents` request finds them by name). Version 2:
// contact objects summarise their transcript (get_messages pages it); version 1 sends the whole
// transcript in each one. What older versions get is made in desk_versions.cpp.
constexpr int kSupportedVersions[] = {1, 2, 3};

std::string supported_versions_text() {
    std::string s;
    for (int v : kSupportedVersions) s += (s.empty() ? "" : ", ") + std::to_string(v);
    return s;
}
}  // namespace

// ---- connection lifecycle and framing -----------------------------------------------------------
void DeskService::open(ConnectionId connection, std::string remote_address) {
    Connection c;
    c.address = std::move(remote_address);
    connections_[connection] = std::move(c);
}

void DeskService::close(ConnectionId connection) { connections_.erase(connection); }

bool DeskService::greeted(ConnectionId connection) const {
    auto it = connections_.find(connection);
    return it != connections_.end() && it->second.hello_done;
}

std::string DeskService::internal_error_frame() const {
    return sb::protocol::to_text(
        sb::protocol::reply_error(nullptr, make_error(code::internal, "The server failed; try again.")));
}

void DeskService::on_message(ConnectionId id, std::string_view payload, bool text) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& c = it->second;

    auto refuse = [&](const sb::Error& e) {
        d_.log.limited(LogLevel::Info, "frame refused", {{"conn", id}, {"code", e.code}});
        send(id, sb::protocol::reply_error(nullptr, e));
    };
    if (!text) return refuse(make_error(code::bad_json, "Binary frames are not accepted; send JSON as text."));
    // Size first: an oversize frame is frame_too_large whatever it holds.
    if (payload.size() <= sb::protocol::kMaxFrame && !is_valid_utf8(payload))
        return refuse(make_error(code::bad_json, "Frame is not valid UTF-8."));

    sb::protocol::RequestError detail;
    auto request = sb::protocol::parse_request(payload, &detail);
    if (!request) {
        d_.log.limited(LogLevel::Info, "request refused", {{"conn", id}, {"code", detail.error.code}});
        send(id, sb::protocol::reply_error(detail.id, detail.error));
        return;
    }
    const sb::protocol::Request& r = request.value();
    d_.log.debug("request", {{"conn", id}, {"type", r.type}, {"id", r.id}});
    after_reply_.clear();
    just_connected_.reset();
    error_extra_ = json::object();
    current_ = &r;
    deferred_ = false;
    Reply reply = dispatch(c, id, r);
    current_ = nullptr;
    if (r.type == "payment_submit") {
        // The card number and CVC are not kept: wipe the parsed request's copies now that the
        // gateway request has them (payments.cpp wipes its own). Never logged: see above.
        for (const char* k : {"card_number", "cvc"})
            if (auto f = request.value().body.find(k); f != request.value().body.end() && f->is_string()) {
                std::string& v = f->get_ref<std::string&>();
                sodium_memzero(v.data(), v.size());
            }
    }
    if (std::exchange(deferred_, false)) return;  // answered when its work off the I/O thread is done
    respond(id, r, std::move(reply));
}

void DeskService::respond(ConnectionId id, const sb::protocol::Request& r, Reply reply) {
    if (reply) {
        if (auto it = connections_.find(id); it != connections_.end()) result_for(it->second.version, reply.value());
        send(id, sb::protocol::reply_ok(r.id, std::move(reply.value())));
        for (std::string& frame : after_reply_) d_.output.send(id, std::move(frame));
        after_reply_.clear();
        // Offers to an agent who just arrived follow their session, never precede it.
        if (auto who = std::exchange(just_connected_, std::nullopt)) d_.contacts.on_agent_connected(*who);
        return;
    }
    sb::Error e = reply.error();
    if (e.code == code::internal) {
        d_.log.error("request failed", {{"conn", id}, {"type", r.type}, {"code", e.code}, {"detail", e.message}});
        e.message = "The server failed; try again.";
    } else {
        d_.log.limited(LogLevel::Info, "request failed", {{"conn", id}, {"type", r.type}, {"code", e.code}});
    }
    json frame = sb::protocol::reply_error(r.id, e);
    if (!error_extra_.empty()) frame["error"].update(error_extra_);
    send(id, frame);
}

// ---- the request table -------------------------------------------------------------------------
// Every request type the server answers, what the connection must have done first, and its
// handler. The core's schema (protocol/schema.cpp) has already checked the body's fields and types.
// A handler that needs a role checks it itself (audit: supervisors; the contact handlers: the
// contact is the agent's), with the agent known.
namespace {
const std::string& requested_contact(const json& body) { return body.at("contact").get_ref<const std::string&>(); }
}  // namespace

const std::vector<DeskService::Route>& DeskService::routes() {
    using B = const json&;
    using S = DeskService&;
    using C = Connection&;
    using I = ConnectionId;
    static const std::vector<Route> table = {
        {"hello", Needs::nothing, [](S s, C c, I, B b) { return s.hello(c, b); }},
        {"ping", Needs::hello, [](S s, C c, I, B) { return s.ping(c); }},
        // sign-in and the agent's sessions: each answers a connection without an agent itself
        {"login", Needs::hello, [](S s, C c, I id, B b) { return s.login(c, id, b); }},
        {"resume", Needs::hello, [](S s, C c, I id, B b) { return s.resume(c, id, b); }},
        {"mfa", Needs::hello, [](S s, C c, I id, B b) { return s.mfa(c, id, b); }},
        {"logout", Needs::hello, [](S s, C c, I, B) { return s.logout(c); }},
        {"sessions", Needs::hello, [](S s, C c, I, B) { return s.sessions(c); }},
        {"revoke_session", Needs::hello, [](S s, C c, I id, B b) { return s.revoke_session(c, id, b); }},
        {"set_state", Needs::hello, [](S s, C c, I, B b) { return s.set_state(c, b); }},
        {"get_reason_codes", Needs::hello, [](S s, C c, I, B) { return s.get_reason_codes(c); }},
        // supervisors: the audit log (audit.cpp checks the role)
        {"audit", Needs::agent, [](S s, C c, I, B b) -> Reply {
             if (!s.audit_) return make_error(code::internal, "no audit log");
             return audit_desk_request(*s.audit_, *c.agent, b);
         }},
        // contacts (contact_service.h checks that the contact is this agent's)
        {"accept", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.accept(*c.agent, requested_contact(b)); }},
        {"reject", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.reject(*c.agent, requested_contact(b)); }},
        {"send_message", Needs::agent, [](S s, C c, I, B b) {
             return s.d_.contacts.send_message(*c.agent, requested_contact(b), b.at("text").get_ref<const std::string&>(),
                                               b.at("client_id").get_ref<const std::string&>());
         }},
        {"typing", Needs::agent,
         [](S s, C c, I, B b) { return s.d_.contacts.typing(*c.agent, requested_contact(b), b.at("typing").get<bool>()); }},
        {"get_messages", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.get_messages(*c.agent, b); }},
        {"agents", Needs::agent, [](S s, C, I, B b) { return s.find_agents(b); }},
        {"transfer", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.transfer(*c.agent, b); }},
        {"end", Needs::agent, [](S s, C c, I, B b) -> Reply {
             auto by = sb::contact::parse_sender(b.contains("by") ? b["by"].get_ref<const std::string&>() : "agent");
             if (!by) return make_error(code::bad_message, "by must be \"agent\" or \"customer\".");
             return s.d_.contacts.end(*c.agent, requested_contact(b), *by);
         }},
        {"dial", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.dial(*c.agent, b); }},
        {"wrap_up", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.wrap_up(*c.agent, b); }},
        {"update_customer", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.update_customer(*c.agent, b); }},
        // customer verification (verification.h)
        {"verify", Needs::agent, [](S s, C c, I, B b) { return s.d_.contacts.verify(*c.agent, requested_contact(b)); }},
        {"verify_answer", Needs::agent, [](S s, C c, I id, B b) { return s.verify_answer(c, id, b); }},
        {"verify_send_code", Needs::agent,
         [](S s, C c, I, B b) { return s.d_.contacts.verify_send_code(*c.agent, requested_contact(b)); }},
        // card payments (payments.h, docs/payments.md)
        {"payment_start", Needs::payments, [](S s, C c, I, B b) { return s.payments_->start(*c.agent, b); }},
        {"payment_submit", Needs::payments, [](S s, C c, I, B b) { return s.payments_->submit(*c.agent, b); }},
        {"payment_cancel", Needs::payments, [](S s, C c, I, B b) { return s.payments_->cancel(*c.agent, b); }},
        {"refund", Needs::payments, [](S s, C c, I, B b) { return s.payments_->refund(*c.agent, b); }},
    };
    return table;
}

std::vector<std::string_view> DeskService::handled_types() {
    std::vector<std::string_view> types;
    for (const Route& r : routes()) types.push_back(r.type);
    return types;
}

DeskService::Reply DeskService::dispatch(Connection& c, ConnectionId id, const sb::protocol::Request& r) {
    const auto& table = routes();
    auto route = std::find_if(table.begin(), table.end(), [&](const Route& x) { return x.type == r.type; });
    // parse_request only accepts types from the core's table; a new one lands here until handled.
    if (route == table.end())
        return make_error(code::unknown_type, "Request type \"" + sb::text::quote(r.type) + "\" is not handled by this server.");
    if (route->needs != Needs::nothing && !c.hello_done) return make_error(code::hello_required, "Send hello first.");
    if ((route->needs == Needs::agent || route->needs == Needs::payments) && !c.agent)
        return make_error(code::not_logged_in, "Log in first.");
    if (route->needs == Needs::payments && !payments_)
        return make_error("payments_unavailable", "Payments are not available on this server.");
    return route->run(*this, c, id, r.body);
}

// ---- hello, ping --------------------------------------------------------------------------------
DeskService::Reply DeskService::hello(Connection& c, const json& body) {
    int chosen = 0;
    for (const json& v : body.at("versions")) {
        int64_t asked = v.get<int64_t>();
        for (int ours : kSupportedVersions)
            if (asked == ours) chosen = std::max(chosen, ours);
    }
    if (chosen == 0)
        return make_error(code::unsupported_version,
                          "No protocol version in common; this server speaks: " + supported_versions_text() + ".");
    c.hello_done = true;
    c.version = chosen;
    return json{{"version", chosen},
                {"server", config_.server_name},
                {"now", d_.now()},
                {"max_frame", sb::protocol::kMaxFrame}};
}

DeskService::Reply DeskService::ping() { return json{{"now", d_.now()}}; }

DeskService::Reply DeskService::ping(Connection& c) {
    // The heartbeat is when a session was last seen (the `sessions` list shows it).
    if (c.agent)
        if (auto st = d_.store.touch_session(c.token_hash, c.address, d_.now()); !st) return st.error();
    return ping();
}

// ---- login, resume ------------------------------------------------------------------------------
DeskService::Reply DeskService::login(Connection& c, ConnectionId id, const json& body) {
    if (c.agent) return make_error(code::already_logged_in, "This connection is already logged in.");
    if (c.login_pending) return make_error(code::already_logged_in, "A login is already being checked here.");
    const std::string& username = body.at("username").get_ref<const std::string&>();
    const std::string& password = body.at("password").get_ref<const std::string&>();

    // The attempt counts before its password is checked, so that attempts sent together see
    // each other: a burst of guesses gets no more checks than the limits allow (auth.h).
    std::optional<AccountLock> lock;
    auto attempt = d_.rate_limit.begin_attempt(username, c.address, d_.now(), &lock);
    if (!attempt) {
        if (lock) {
            d_.log.limited(LogLevel::Warn, "login refused: account locked", {{"conn", id}, {"username", username}});
            return locked_error(*lock);
        }
        if (attempt.error().code == code::rate_limited)
            d_.log.limited(LogLevel::Warn, "login rate limited", {{"conn", id}, {"username", username}, {"address", c.address}});
        return attempt.error();
    }

    auto agent = d_.store.find_agent(username);
    if (!agent) {
        (void)d_.rate_limit.end_attempt(attempt.value(), true, d_.now());  // our failure, not theirs
        return agent.error();
    }
    std::optional<std::string> stored;
    if (agent.value()) stored = agent.value()->password_hash;
    if (!d_.offload || !current_)
        return finish_login(c, id, attempt.value(), d_.passwords.verify(stored, password));

    // Argon2 off the I/O thread; the connection answers nothing else meanwhile that needs a login.
    c.login_pending = true;
    deferred_ = true;
    auto right = std::make_shared<bool>(false);
    const PasswordVerifier& passwords = d_.passwords;
    bool queued = d_.offload(
        [right, &passwords, stored, password = std::string(password)] { *right = passwords.verify(stored, password); },
        [this, id, right, attempt = attempt.value(),
         request = sb::protocol::Request{current_->type, current_->id, json::object()}] {  // no password kept
            auto it = connections_.find(id);
            if (it == connections_.end()) {  // the connection closed meanwhile: the attempt still counts
                (void)d_.rate_limit.end_attempt(attempt, *right, d_.now());
                return;
            }
            it->second.login_pending = false;
            after_reply_.clear();
            just_connected_.reset();
            error_extra_ = json::object();
            Reply reply = finish_login(it->second, id, attempt, *right);
            respond(id, request, std::move(reply));
        });
    if (!queued) {  // every password worker is behind: come back, unchecked and uncounted
        c.login_pending = false;
        deferred_ = false;
        (void)d_.rate_limit.end_attempt(attempt.value(), true, d_.now());  // takes back the failure it counted as
        d_.log.limited(LogLevel::Warn, "login refused: password checks busy", {{"conn", id}, {"username", username}});
        auto e = make_error(code::rate_limited, "Many people are signing in at once; try again in a moment.");
        e.retry_after_ms = 1000;
        return e;
    }
    return json::object();  // not sent: deferred_
}

// A security phrase's Argon2id check goes to the password workers, as a sign-in's does; the reply
// comes when it is back, and the answer is applied then, to the verification as it stands (two
// answers checked together count one after the other). A desk gone or signed out meanwhile: its
// answer is dropped, no attempt used. Other steps have nothing slow and are answered at once.
DeskService::Reply DeskService::verify_answer(Connection& c, ConnectionId id, const json& body) {
    const std::string agent = *c.agent;
    auto check = d_.offload && current_ ? d_.contacts.verify_answer_check(agent, body) : std::nullopt;
    if (!check) return d_.contacts.verify_answer(agent, body);
    auto job = std::make_shared<VerificationService::PhraseCheck>(std::move(*check));
    auto request_body = std::make_shared<json>(body);
    deferred_ = true;
    bool queued = d_.offload([job] { job->run(); },
                             [this, id, agent, job, request_body,
                              request = sb::protocol::Request{current_->type, current_->id, json::object()}] {
                                 auto it = connections_.find(id);
                                 if (it != connections_.end() && it->second.agent == agent) {
                                     after_reply_.clear();
                                     just_connected_.reset();
                                     error_extra_ = json::object();
                                     respond(id, request, d_.contacts.verify_answer(agent, *request_body, job.get()));
                                 }
                                 // The answer's text is not kept (the check's copy wipes itself).
                                 if (auto a = request_body->find("answer"); a != request_body->end() && a->is_string()) {
                                     std::string& v = a->get_ref<std::string&>();
                                     sodium_memzero(v.data(), v.size());
                                 }
                             });
    if (!queued) {
        deferred_ = false;
        d_.log.limited(LogLevel::Warn, "verification answer refused: checks busy", {{"conn", id}, {"agent", agent}});
        auto e = make_error(code::rate_limited, "Many answers are being checked at once; try again in a moment.");
        e.retry_after_ms = 1000;
        return e;
    }
    return json::object();  // not sent: deferred_
}

DeskService::Reply DeskService::finish_login(Connection& c, ConnectionId id, const LoginAttempt& attempt, bool right) {
    const std::string& username = attempt.username;
    auto outcome = d_.rate_limit.end_attempt(attempt, right, d_.now());
    if (!outcome) return outcome.error();
    if (c.agent) return make_error(code::already_logged_in, "This connection is already logged in.");
    if (!right) {
        d_.log.info("login failed", {{"conn", id}, {"username", username}, {"code", code::invalid_credentials}});
        audit_sign_in(username, audit_action::login_failed, {{"address", c.address}, {"step", "password"}});
        if (outcome.value().locked) {
            d_.log.warn("account locked", {{"username", username}, {"until", outcome.value().locked->locked_until}});
            audit_sign_in(username, audit_action::account_locked,
                          {{"address", c.address}, {"step", "password"},
                           {"locked_until", outcome.value().locked->locked_until}});
            return locked_error(*outcome.value().locked);
        }
        return make_error(code::invalid_credentials, "Wrong username or password.");
    }
    // The lock again: wrong passwords checked alongside this one may have locked the account
    // while this one was being checked.
    auto lock = d_.rate_limit.lock_of(username, d_.now());
    if (!lock) return lock.error();
    if (lock.value()) {
        d_.log.warn("login refused: account locked", {{"conn", id}, {"username", username}});
        return locked_error(*lock.value());
    }
    return after_password(c, id, username);
}

DeskService::Reply DeskService::start_session(Connection& c, ConnectionId id, const std::string& username) {
    if (auto st = refuse_if_disabled(username); !st) return st.error();  // disabled during the second step
    int64_t now = d_.now();
    if (auto st = d_.rate_limit.record_success(username); !st) return st.error();
    // SIP credentials of sessions that ended stop working (Kamailio also checks `expires`).
    if (auto st = d_.store.purge_sip_subscribers(now); !st) return st.error();

    std::string token = new_token();
    std::string hash = token_hash(token);
    int64_t expires_at = now + config_.token_ttl_ms;
    if (auto st = d_.store.add_session(hash, username, now, expires_at); !st) return st.error();
    if (auto st = d_.store.touch_session(hash, c.address, now); !st) return st.error();
    auto result = session_result(token, expires_at, username);
    if (!result) return result;
    c.agent = username;
    c.token_hash = hash;
    c.delivered = result.value().value("seq", int64_t{0});
    just_connected_ = username;
    d_.output.authenticated(id);
    d_.log.info("logged in", {{"conn", id}, {"username", username}});
    audit_sign_in(username, audit_action::login_succeeded, {{"address", c.address}, {"session", hash.substr(0, 16)}});
    return result;
}

DeskService::Reply DeskService::resume(Connection& c, ConnectionId id, const json& body) {
    if (c.agent) return make_error(code::already_logged_in, "This connection is already logged in.");
    const std::string& token = body.at("token").get_ref<const std::string&>();
    int64_t last_seq = body.at("last_seq").get<int64_t>();
    std::string hash = token_hash(token);

    auto session = d_.store.find_session(hash);
    if (!session) return session.error();
    if (session.value())  // a disabled account's sessions were revoked: say why
        if (auto st = refuse_if_disabled(session.value()->agent); !st) return st.error();
    if (!session.value() || session.value()->revoked_at)
        return make_error(code::invalid_token, "The token is unknown or was revoked; log in again.");
    if (d_.now() >= session.value()->expires_at)
        return make_error(code::token_expired, "The token has expired; log in again.");

    const std::string username = session.value()->agent;
    if (auto st = d_.store.touch_session(hash, c.address, d_.now()); !st) return st.error();
    auto result = session_result(token, session.value()->expires_at, username);
    if (!result) return result;
    auto missed = d_.store.events_after(username, last_seq);
    if (!missed) return missed.error();

    c.agent = username;
    c.token_hash = hash;
    c.delivered = result.value().value("seq", int64_t{0});
    if (!missed.value().empty()) c.delivered = std::max(c.delivered, missed.value().back().seq);
    just_connected_ = username;
    d_.output.authenticated(id);
    d_.log.info("resumed", {{"conn", id}, {"username", username}, {"missed", missed.value().size()}});
    // The missed events follow the reply (on_message sends them after it).
    for (const StoredEvent& e : missed.value()) after_reply_.push_back(event_text(c.version, e.seq, e.event, e.data));
    return result;
}

DeskService::Reply DeskService::session_result(const std::string& token, int64_t expires_at,
                                               const std::string& username) {
    auto agent = d_.store.find_agent(username);
    if (!agent) return agent.error();
    if (!agent.value()) return make_error(code::internal, "session for a missing agent");
    auto codes = d_.store.reason_codes();
    if (!codes) return codes.error();
    json reason_codes = json::array();
    for (const auto& rc : codes.value()) reason_codes.push_back(sb::agent::to_json(rc));
    auto parts = d_.contacts.session_parts(username);
    if (!parts) return parts.error();
    json session{{"token", token},
                 {"session_id", token_hash(token).substr(0, 16)},
                 {"expires_at", expires_at},
                 {"agent", sb::agent::to_json(agent.value()->snapshot)},
                 {"reason_codes", std::move(reason_codes)},
                 {"seq", agent.value()->last_seq}};
    session.update(parts.value());
    if (config_.sip) {
        auto sip = issue_sip_credentials(token, expires_at, username);
        if (!sip) return sip;
        session["sip"] = std::move(sip.value());
    }
    if (audit_) {
        auto role = audit_->role_of(username);
        if (!role) return role.error();
        session["role"] = role.value().value_or("agent");
    }
    return session;
}

DeskService::Reply DeskService::issue_sip_credentials(const std::string& token, int64_t expires_at,
                                                      const std::string& username) {
    SipCredentials c = sip_credentials(*config_.sip, username, token);
    SipSubscriber row{token_hash(token), username, c.username, config_.sip->domain, c.ha1, c.ha1b, c.sip_user,
                      expires_at};
    if (auto st = d_.store.put_sip_subscriber(row); !st) return st.error();
    return to_json(c);
}

void DeskService::contact_event(const std::string& username, const std::string& event, const json& data) {
    auto seq = d_.store.append_event(username, event, data, d_.now());
    if (!seq) {
        d_.log.error("event not recorded", {{"username", username}, {"event", event}, {"error", seq.error().message}});
        return;
    }
    d_.log.debug("contact event", {{"username", username}, {"event", event}, {"seq", seq.value()}});
    if (holding_ > 0) held_.push_back(HeldEvent{username, seq.value(), event, data});
    else deliver_event(username, seq.value(), event, data);
}

void DeskService::release_events(bool committed) {
    if (holding_ == 0 || --holding_ > 0) return;
    auto held = std::move(held_);
    held_.clear();
    if (committed)
        for (const HeldEvent& e : held) deliver_event(e.username, e.seq, e.event, e.data);
}

void DeskService::deliver_event(const std::string& username, int64_t seq, const std::string& event, const json& data) {
    std::string texts[3];  // by version (desk_versions.cpp), each made once if anyone reads it
    for (auto& [id, conn] : connections_) {
        if (conn.agent != username || seq <= conn.delivered) continue;
        if (seq != conn.delivered + 1) {  // another node's events came between: in order, from the log
            catch_up(id, conn);
            continue;
        }
        int v = conn.version == 1 ? 1 : 2;
        if (texts[v].empty()) texts[v] = event_text(v, seq, event, data);
        d_.output.send(id, texts[v]);
        conn.delivered = seq;
    }
}

void DeskService::catch_up(ConnectionId id, Connection& c) {
    if (!c.agent) return;
    auto missed = d_.store.events_after(*c.agent, c.delivered);
    if (!missed) {
        d_.log.error("events not read", {{"username", *c.agent}, {"error", missed.error().message}});
        return;
    }
    for (const StoredEvent& e : missed.value()) {
        d_.output.send(id, event_text(c.version == 1 ? 1 : 2, e.seq, e.event, e.data));
        c.delivered = e.seq;
    }
}

void DeskService::heard(const std::vector<Change>& changes, bool resync) {
    if (resync) {
        for (auto& [id, conn] : connections_) catch_up(id, conn);
        return;
    }
    std::set<std::string> agents;
    for (const Change& c : changes)
        if (c.channel == feed::events) agents.insert(c.key);
    if (agents.empty()) return;
    for (auto& [id, conn] : connections_)
        if (conn.agent && agents.count(*conn.agent)) catch_up(id, conn);
}

bool DeskService::is_connected(const std::string& username) {
    for (const auto& [id, conn] : connections_)
        if (conn.agent == username) return true;
    return false;
}

std::set<std::string> DeskService::connected_agents() {
    std::set<std::string> out;
    for (const auto& [id, conn] : connections_)
        if (conn.agent) out.insert(*conn.agent);
    return out;
}

void DeskService::missed_offer(const std::string& username) {
    auto agent = change_presence(username, Presence::NotReady, "missed");
    if (!agent) d_.log.error("missed: presence not changed", {{"username", username}, {"error", agent.error().message}});
}

// ---- presence -----------------------------------------------------------------------------------
DeskService::Reply DeskService::set_state(Connection& c, const json& body) {
    if (!c.agent) return make_error(code::not_logged_in, "Log in first.");
    const std::string& state_text = body.at("state").get_ref<const std::string&>();
    auto state = sb::agent::parse_presence(state_text);
    if (!state)
        return make_error(code::invalid_state, "State must be offline, available or not_ready.");
    std::optional<std::string> reason;
    if (auto it = body.find("reason"); it != body.end()) reason = it->get<std::string>();

    auto codes = d_.store.reason_codes();
    if (!codes) return codes.error();
    if (auto ok = sb::agent::check_presence_change(*state, reason, codes.value()); !ok) return ok.error();

    auto agent = change_presence(*c.agent, *state, reason.value_or(""));
    if (!agent) return agent.error();
    return json{{"agent", sb::agent::to_json(agent.value())}};
}

sb::Result<AgentSnapshot> DeskService::change_presence(const std::string& username, Presence state,
                                                       const std::string& reason) {
    auto rec = d_.store.find_agent(username);
    if (!rec) return rec.error();
    if (!rec.value()) return make_error(code::internal, "agent missing");
    AgentSnapshot agent = rec.value()->snapshot;
    if (agent.state == state && agent.reason == reason) return agent;  // no change, no event

    agent.state = state;
    agent.reason = reason;
    agent.state_since_ms = d_.now();
    auto seq = d_.store.record_presence(agent, "agent.state", agent.state_since_ms);
    if (!seq) return seq.error();
    d_.log.info("presence changed", {{"username", username}, {"state", sb::agent::to_string(state)},
                                     {"reason", reason}, {"seq", seq.value()}});
    deliver_event(username, seq.value(), "agent.state", sb::agent::to_json(agent));
    d_.contacts.on_presence_changed(username);
    return agent;
}

DeskService::Reply DeskService::get_reason_codes(Connection& c) {
    if (!c.agent) return make_error(code::not_logged_in, "Log in first.");
    auto codes = d_.store.reason_codes();
    if (!codes) return codes.error();
    json list = json::array();
    for (const auto& rc : codes.value()) list.push_back(sb::agent::to_json(rc));
    return json{{"reason_codes", std::move(list)}};
}

DeskService::Reply DeskService::find_agents(const json& body) {
    if (body.contains("usernames")) {  // the names behind usernames a desk shows
        if (body.contains("query") || body.contains("limit"))
            return make_error(code::bad_message, "Give either usernames or a query (and limit), not both.");
        const json& wanted = body["usernames"];
        if (wanted.empty() || wanted.size() > static_cast<std::size_t>(sb::protocol::kMaxAgentsPage))
            return make_error(code::bad_message,
                              "usernames must name 1 to " + std::to_string(sb::protocol::kMaxAgentsPage) + " agents.");
        json agents = json::array();
        for (const json& u : wanted) {
            auto rec = d_.store.find_agent(u.get_ref<const std::string&>());
            if (!rec) return rec.error();
            if (!rec.value()) continue;
            agents.push_back(agent_summary_json(rec.value()->snapshot));
        }
        return json{{"agents", std::move(agents)}, {"more", false}};
    }
    std::string query = body.contains("query") ? body["query"].get<std::string>() : std::string();
    if (sb::text::utf8_length(query) > sb::protocol::kMaxAgentQuery)
        return make_error(code::bad_message,
                          "query is longer than " + std::to_string(sb::protocol::kMaxAgentQuery) + " characters.");
    auto space = [](char ch) { return ch == ' ' || ch == '\t'; };
    while (!query.empty() && space(query.back())) query.pop_back();
    query.erase(0, std::find_if_not(query.begin(), query.end(), space) - query.begin());
    auto limit = sb::protocol::page_limit(body, 50, sb::protocol::kMaxAgentsPage);
    if (!limit) return limit.error();
    auto found = d_.store.find_agents(query, limit.value() + 1);  // one more: are there more?
    if (!found) return found.error();
    const bool more = sb::protocol::trim_page(found.value(), limit.value());
    json agents = json::array();
    for (const auto& a : found.value()) agents.push_back(agent_summary_json(a));
    return json{{"agents", std::move(agents)}, {"more", more}};
}

DeskService::Reply DeskService::logout(Connection& c) {
    if (!c.agent) return make_error(code::not_logged_in, "Log in first.");
    if (auto st = d_.store.revoke_session(c.token_hash, d_.now()); !st) return st.error();
    if (audit_)  // the session ends before it expires: in the audit log (docs/security.md)
        if (auto st = audit_->record(d_.now(), *c.agent, audit_action::session_revoked, std::nullopt, std::nullopt,
                                     {{"reason", "logout"}, {"session", c.token_hash.substr(0, 16)}});
            !st)
            d_.log.error("audit not recorded", {{"action", audit_action::session_revoked}, {"error", st.error().message}});
    if (auto st = d_.store.remove_sip_subscriber(c.token_hash); !st) return st.error();
    auto agent = change_presence(*c.agent, Presence::Offline, "");
    if (!agent) return agent.error();
    d_.log.info("logged out", {{"username", *c.agent}});
    // The session is over on every connection that used this token (they saw the offline event).
    const std::string ended = c.token_hash;
    for (auto& [other_id, other] : connections_)
        if (other.agent && other.token_hash == ended) {
            other.agent.reset();
            other.token_hash.clear();
        }
    return json::object();
}

// ---- output -------------------------------------------------------------------------------------
void DeskService::send(ConnectionId id, const json& frame) { d_.output.send(id, sb::protocol::to_text(frame)); }

// ---- UTF-8 --------------------------------------------------------------------------------------
bool is_valid_utf8(std::string_view s) { return sb::text::is_valid_utf8(s); }

}  // namespace sbd
