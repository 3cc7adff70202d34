// auth.h: what proves an agent is who they say: Argon2id password hashes, session tokens
// (random, only their hash is stored) and the login rate limit.
//
// Sections: passwords · tokens · LoginRateLimit
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/store/store.h"
#include "util/result.h"

namespace sbd {

// ---- passwords ----------------------------------------------------------------------------------
// Argon2id ($argon2id$...) with libsodium's interactive limits.
sb::Result<std::string> hash_password(std::string_view password);

// Verifies a password against a stored hash. With no stored hash (unknown username) it still
// does the same Argon2 work against a dummy hash, so timing does not tell which was wrong.
// The dummy is made once, on first need or ahead of it by prepare(): switchboardd has its
// password thread prepare it at startup, so that the server does not wait for it (an Argon2 hash,
// about 0.2 s) before listening, and the first unknown name costs no more than any other.
// Safe to use from several threads.
class PasswordVerifier {
public:
    void prepare() const { dummy_hash(); }
    bool verify(const std::optional<std::string>& stored_hash, std::string_view password) const;

private:
    const std::string& dummy_hash() const;
    mutable std::once_flag dummy_once_;
    mutable std::string dummy_hash_;
};

// ---- tokens -------------------------------------------------------------------------------------
// 32 random bytes, base64url without padding (43 characters).
std::string new_token();
// What the sessions table stores: BLAKE2b (crypto_generichash) of the token, hex.
std::string token_hash(std::string_view token);

// ---- LoginRateLimit -----------------------------------------------------------------------------
struct LoginLimits {
    int max_failures_per_username = 5;
    int max_failures_per_address = 20;
    int64_t window_ms = 5 * 60 * 1000;
    // Account lock: this many failed passwords or second-factor codes for one username within
    // lock_window_ms lock the account for lock_ms (login answers account_locked until then).
    int lock_after_failures = 5;
    int64_t lock_window_ms = 15 * 60 * 1000;
    int64_t lock_ms = 15 * 60 * 1000;
    // Password checks waiting or running at once: Argon2 is the costly part of a login, so a
    // burst queues no more of it than this, and each one already counts (begin_attempt).
    int max_pending_per_username = 2;
    int max_pending_per_address = 8;
    int max_pending_total = 64;
};

// A login attempt admitted to its password check (LoginRateLimit::begin_attempt).
struct LoginAttempt {
    std::string username;
    std::string address;
    int64_t failure_row = 0;  // the failure it was counted as, until the password proves right
};

// What a failed password or code led to: how many tries are left before the lock, or the lock.
struct FailureOutcome {
    int attempts_left = 0;
    std::optional<AccountLock> locked;
};

// Counts failed logins in the store, per username and per remote address, over a sliding window;
// failed passwords and failed second-factor codes alike. Past the lock limit the account locks.
class LoginRateLimit {
public:
    LoginRateLimit(Store& store, LoginLimits limits) : store_(store), limits_(limits) {}

    // How long until a login for (username, address) may be tried, or nullopt if it may now.
    sb::Result<std::optional<int64_t>> retry_after_ms(const std::string& username, const std::string& address,
                                                       int64_t now);
    // Admits one login to its password check, or says why not: the account is locked
    // (account_locked: the lock in `lock_out`), the username or address is over its failure rate
    // or too many checks are pending (rate_limited, with retry_after_ms). An admitted attempt
    // already counts as a failure, so that attempts sent together see each other; end it with
    // end_attempt(), whatever happens.
    sb::Result<LoginAttempt> begin_attempt(const std::string& username, const std::string& address, int64_t now,
                                           std::optional<AccountLock>* lock_out);
    // The check is done: no longer pending. A right password takes back the failure it counted
    // as; a wrong one keeps it and may lock the account (the outcome).
    sb::Result<FailureOutcome> end_attempt(const LoginAttempt& attempt, bool right, int64_t now);
    int pending() const { return pending_total_; }

    // The account's lock, if it is locked now.
    sb::Result<std::optional<AccountLock>> lock_of(const std::string& username, int64_t now);
    // Records a failed password (what = "password") or code ("code"); locks the account when
    // that was one too many.
    sb::Result<FailureOutcome> record_failure(const std::string& username, const std::string& address, int64_t now,
                                              std::string_view what = "password");
    // The lock that `count` failures within the lock window lead to, if any (stored).
    sb::Result<FailureOutcome> apply_lock(const std::string& username, int64_t now, std::string_view what);
    // After a complete sign-in (password and, if asked, the second factor): the count restarts.
    sb::Status record_success(const std::string& username);

private:
    Store& store_;
    LoginLimits limits_;
    std::map<std::string, int> pending_by_username_, pending_by_address_;
    int pending_total_ = 0;
};

}  // namespace sbd
