// desk_mfa.cpp: the second step of sign-in (TOTP, enrollment, recovery codes), account locks,
// and the agent's own sessions (list, revoke). See desk_service.h and docs/protocol.md, "Sign-in".
//
// Nothing here logs a secret, a code, a recovery code or a token: only usernames, steps and
// outcomes.
#include "server/desk/desk_service.h"

#include <algorithm>

#include "agent/totp.h"
#include "server/admin/audit.h"

namespace sbd {

namespace code = sb::protocol::code;
using json = nlohmann::json;
using sb::make_error;

namespace {
const char* step_name(MfaNeed n) { return n == MfaNeed::Enroll ? "enroll" : "code"; }
std::string session_id_of(const std::string& token_hash) { return token_hash.substr(0, 16); }
}  // namespace

// ---- after the password -------------------------------------------------------------------------
DeskService::Reply DeskService::after_password(Connection& c, ConnectionId id, const std::string& username) {
    // The right password of a disabled account: refused (a wrong one is just wrong, so that
    // guessing tells nobody which accounts are disabled).
    if (auto st = refuse_if_disabled(username); !st) return st.error();
    auto rec = d_.store.mfa_of(username);
    if (!rec) return rec.error();
    MfaNeed need = mfa_need(config_.mfa.policy, rec.value().policy, rec.value().enrolled);
    if (need == MfaNeed::None) return start_session(c, id, username);
    if (!d_.mfa_keys) return make_error(code::internal, "MFA is required but this server has no MFA key");

    int64_t now = d_.now();
    challenges_.forget_expired(now);
    MfaChallenge challenge{username, need, {}, now + config_.mfa.challenge_ttl_ms};
    if (need == MfaNeed::Enroll) challenge.secret = new_totp_secret();
    std::string secret = challenge.secret;
    std::string token = challenges_.issue(std::move(challenge));
    json mfa{{"step", step_name(need)}, {"challenge", token}, {"expires_at", now + config_.mfa.challenge_ttl_ms}};
    if (need == MfaNeed::Enroll) {
        std::string b32 = sb::agent::base32_encode(secret);
        std::string uri = sb::agent::otpauth_uri(config_.mfa.issuer, username, b32);
        auto qr = qr_matrix(uri);
        if (!qr) return qr.error();
        mfa["secret"] = b32;
        mfa["otpauth"] = uri;
        mfa["qr"] = {{"size", qr.value().size}, {"modules", qr.value().modules}};
    }
    d_.log.info("login needs a second factor", {{"conn", id}, {"username", username}, {"step", step_name(need)}});
    return json{{"mfa", std::move(mfa)}};
}

// ---- mfa ----------------------------------------------------------------------------------------
DeskService::Reply DeskService::mfa(Connection& c, ConnectionId id, const json& body) {
    if (c.agent) return make_error(code::already_logged_in, "This connection is already logged in.");
    const std::string& token = body.at("challenge").get_ref<const std::string&>();
    bool has_code = body.contains("code"), has_recovery = body.contains("recovery_code");
    if (has_code == has_recovery)
        return make_error(code::bad_message, "Send exactly one of \"code\" and \"recovery_code\".");
    int64_t now = d_.now();
    MfaChallenge* ch = challenges_.find(token);
    if (!ch || ch->expires_at <= now) {
        if (ch) challenges_.erase(token);
        return make_error(code::challenge_expired, "This sign-in step expired or was already used; sign in again.");
    }
    const std::string username = ch->agent;
    auto lock = d_.rate_limit.lock_of(username, now);
    if (!lock) return lock.error();
    if (lock.value()) {
        challenges_.erase(token);
        return locked_error(*lock.value());
    }
    if (has_recovery && ch->step == MfaNeed::Enroll)
        return make_error(code::bad_message, "Recovery codes exist once enrollment is done; send the app's code.");

    auto fail = [&](sb::Error e) {
        sb::Error out = failed_attempt(username, c.address, has_code ? "code" : "recovery code", std::move(e));
        if (out.code == code::account_locked) challenges_.erase(token);
        d_.log.info("second factor refused", {{"conn", id}, {"username", username}, {"code", out.code}});
        return out;
    };

    if (ch->step == MfaNeed::Enroll) {
        const std::string& typed = body.at("code").get_ref<const std::string&>();
        auto step = sb::agent::verify_totp(ch->secret, typed, now, 0);
        if (!step) return fail(make_error(code::invalid_code, step.error().message));
        std::vector<std::string> codes = new_recovery_codes(), hashes, shown;
        for (const std::string& rc : codes) {
            hashes.push_back(d_.mfa_keys->recovery_code_hash(username, rc));
            shown.push_back(sb::agent::format_recovery_code(rc));
        }
        if (auto st = d_.store.enroll_mfa(username, d_.mfa_keys->seal(ch->secret), step.value(), hashes); !st)
            return st.error();
        challenges_.erase(token);
        d_.log.info("second factor enrolled", {{"conn", id}, {"username", username}});
        auto session = start_session(c, id, username);
        if (session) session.value()["recovery_codes"] = shown;
        return session;
    }

    auto rec = d_.store.mfa_of(username);
    if (!rec) return rec.error();
    if (!rec.value().enrolled || !rec.value().secret) {
        challenges_.erase(token);
        return make_error(code::challenge_expired, "Sign in again to set up your authenticator app.");
    }
    if (has_recovery) {
        std::string normal = sb::agent::normalize_recovery_code(body.at("recovery_code").get_ref<const std::string&>());
        auto used = d_.store.use_recovery_code(username, d_.mfa_keys->recovery_code_hash(username, normal), now);
        if (!used) return used.error();
        if (!used.value()) return fail(make_error(code::invalid_code, "That recovery code is not valid or was used."));
        challenges_.erase(token);
        auto left = d_.store.recovery_codes_left(username);
        if (!left) return left.error();
        d_.log.info("signed in with a recovery code", {{"conn", id}, {"username", username}, {"left", left.value()}});
        auto session = start_session(c, id, username);
        if (session) session.value()["recovery_codes_left"] = left.value();
        return session;
    }
    auto secret = d_.mfa_keys->open(*rec.value().secret);
    if (!secret) return secret.error();
    auto step = sb::agent::verify_totp(secret.value(), body.at("code").get_ref<const std::string&>(), now,
                                       rec.value().last_step);
    if (!step) return fail(make_error(code::invalid_code, step.error().message));
    auto advanced = d_.store.advance_mfa_step(username, step.value());
    if (!advanced) return advanced.error();
    if (!advanced.value()) return fail(make_error(code::invalid_code, "That code was already used; wait for the next one."));
    challenges_.erase(token);
    return start_session(c, id, username);
}

// ---- failures and locks -------------------------------------------------------------------------
sb::Error DeskService::failed_attempt(const std::string& username, const std::string& address, std::string_view what,
                                      sb::Error error) {
    auto outcome = d_.rate_limit.record_failure(username, address, d_.now(), what);
    if (!outcome) return outcome.error();
    // A wrong password is a failed login; a wrong code or recovery code, a failed second factor.
    audit_sign_in(username, what == "password" ? audit_action::login_failed : audit_action::mfa_failed,
                  {{"address", address}, {"step", std::string(what)}});
    if (outcome.value().locked) {
        d_.log.warn("account locked", {{"username", username}, {"until", outcome.value().locked->locked_until}});
        audit_sign_in(username, audit_action::account_locked,
                      {{"address", address}, {"step", std::string(what)}, {"locked_until", outcome.value().locked->locked_until}});
        return locked_error(*outcome.value().locked);
    }
    // A wrong password does not say how close the lock is (it would confirm the username).
    if (error.code == code::invalid_code) error_extra_["attempts_left"] = outcome.value().attempts_left;
    return error;
}

sb::Error DeskService::locked_error(const AccountLock& lock) {
    int64_t left = std::max<int64_t>(0, lock.locked_until - d_.now());
    int64_t minutes = (left + 59'999) / 60'000;
    sb::Error e = make_error(code::account_locked, lock.reason + " The account is locked for " +
                                                       std::to_string(minutes) + (minutes == 1 ? " minute." : " minutes."));
    e.retry_after_ms = left;
    error_extra_["locked_until"] = lock.locked_until;
    return e;
}

// ---- sessions -----------------------------------------------------------------------------------
DeskService::Reply DeskService::sessions(Connection& c) {
    if (!c.agent) return make_error(code::not_logged_in, "Log in first.");
    auto live = d_.store.live_sessions(*c.agent, d_.now());
    if (!live) return live.error();
    json list = json::array();
    for (const LiveSession& s : live.value())
        list.push_back({{"id", session_id_of(s.token_hash)},
                        {"created_at", s.created_at},
                        {"last_seen", s.last_seen},
                        {"expires_at", s.expires_at},
                        {"address", s.address},
                        {"current", s.token_hash == c.token_hash}});
    return json{{"sessions", std::move(list)}};
}

DeskService::Reply DeskService::revoke_session(Connection& c, ConnectionId id, const json& body) {
    if (!c.agent) return make_error(code::not_logged_in, "Log in first.");
    bool all_others = body.value("all_others", false);
    bool has_session = body.contains("session");
    if (all_others == has_session)
        return make_error(code::bad_message, "Send either \"session\" or \"all_others\": true.");
    auto live = d_.store.live_sessions(*c.agent, d_.now());
    if (!live) return live.error();
    std::vector<std::string> ending;
    for (const LiveSession& s : live.value()) {
        if (all_others ? s.token_hash != c.token_hash
                       : session_id_of(s.token_hash) == body.at("session").get_ref<const std::string&>())
            ending.push_back(s.token_hash);
    }
    if (has_session && ending.empty())
        return make_error(code::unknown_session, "No live session of yours has that id.");
    const std::string username = *c.agent;
    if (auto st = end_sessions(username, ending, all_others ? "revoked_others" : "revoked"); !st) return st.error();
    d_.log.info("sessions revoked", {{"conn", id}, {"username", username}, {"count", ending.size()}});
    json ids = json::array();
    for (const std::string& h : ending) ids.push_back(session_id_of(h));
    return json{{"revoked", std::move(ids)}};
}

sb::Status DeskService::end_sessions(const std::string& username, const std::vector<std::string>& token_hashes,
                                     const std::string& reason, const std::string& actor) {
    int64_t now = d_.now();
    for (const std::string& hash : token_hashes) {
        if (auto st = d_.store.revoke_session(hash, now); !st) return st.error();
        audit_sign_in(actor.empty() ? username : actor, audit_action::session_revoked,
                      {{"reason", reason}, {"session", session_id_of(hash)}, {"agent", username}});
        if (auto st = d_.store.remove_sip_subscriber(hash); !st) return st.error();
        // Every desk of the agent hears it; the one whose session it was signs out at once.
        json data{{"session", session_id_of(hash)}, {"reason", "revoked"}};
        auto seq = d_.store.append_event(username, "session.revoked", data, now);
        if (!seq) return seq.error();
        deliver_event(username, seq.value(), "session.revoked", data);
        for (auto& [other_id, other] : connections_)
            if (other.agent && other.token_hash == hash) {
                other.agent.reset();
                other.token_hash.clear();
            }
    }
    return sb::Ok{};
}

void DeskService::audit_sign_in(const std::string& actor, const char* action, json detail) {
    if (!audit_ || actor.empty()) return;
    if (auto st = audit_->record(d_.now(), actor, action, std::nullopt, std::nullopt, detail); !st)
        d_.log.error("audit not recorded", {{"action", action}, {"error", st.error().message}});
}

}  // namespace sbd
