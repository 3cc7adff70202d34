// auth.cpp: passwords, tokens, login rate limit (see auth.h).
#include "server/accounts/auth.h"

#include <algorithm>
#include <sodium.h>

#include "protocol/schema.h"

namespace sbd {

// ---- passwords ----------------------------------------------------------------------------------
sb::Result<std::string> hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return sb::make_error(sb::protocol::code::internal, "password hashing ran out of memory");
    return std::string(out);
}

const std::string& PasswordVerifier::dummy_hash() const {
    std::call_once(dummy_once_, [this] {
        unsigned char random[16];
        randombytes_buf(random, sizeof random);
        auto h = hash_password(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
        dummy_hash_ = h ? h.value() : std::string();
    });
    return dummy_hash_;
}

bool PasswordVerifier::verify(const std::optional<std::string>& stored_hash, std::string_view password) const {
    const std::string& hash = stored_hash ? *stored_hash : dummy_hash();
    bool match = !hash.empty() && crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    return stored_hash.has_value() && match;
}

// ---- tokens -------------------------------------------------------------------------------------
std::string new_token() {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(out);
}

std::string token_hash(std::string_view token) {
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    char hex[crypto_generichash_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::string(hex);
}

// ---- LoginRateLimit -----------------------------------------------------------------------------
namespace {
// With `times` the counted failures (oldest first) and `max` the limit: the wait until fewer
// than `max` remain in the window, or nullopt if already fewer.
std::optional<int64_t> wait_for(const std::vector<int64_t>& times, int max, int64_t window_ms, int64_t now) {
    if (max <= 0 || static_cast<int64_t>(times.size()) < max) return std::nullopt;
    int64_t must_expire = times[times.size() - static_cast<std::size_t>(max)];
    return std::max<int64_t>(0, must_expire + window_ms - now) + 1;
}
}  // namespace

sb::Result<std::optional<int64_t>> LoginRateLimit::retry_after_ms(const std::string& username,
                                                                  const std::string& address, int64_t now) {
    int64_t since = now - limits_.window_ms;
    if (auto st = store_.forget_login_failures_before(now - std::max(limits_.window_ms, limits_.lock_window_ms)); !st)
        return st.error();
    auto by_user = store_.login_failures_since(FailureKey::Username, username, since);
    if (!by_user) return by_user.error();
    auto by_addr = store_.login_failures_since(FailureKey::Address, address, since);
    if (!by_addr) return by_addr.error();
    auto a = wait_for(by_user.value(), limits_.max_failures_per_username, limits_.window_ms, now);
    auto b = wait_for(by_addr.value(), limits_.max_failures_per_address, limits_.window_ms, now);
    if (a && b) return std::optional<int64_t>(std::max(*a, *b));
    return a ? a : b;
}

sb::Result<std::optional<AccountLock>> LoginRateLimit::lock_of(const std::string& username, int64_t now) {
    return store_.account_lock(username, now);
}

sb::Result<LoginAttempt> LoginRateLimit::begin_attempt(const std::string& username, const std::string& address,
                                                       int64_t now, std::optional<AccountLock>* lock_out) {
    auto lock = lock_of(username, now);
    if (!lock) return lock.error();
    if (lock.value()) {
        if (lock_out) *lock_out = lock.value();
        return sb::make_error(sb::protocol::code::account_locked, lock.value()->reason);
    }
    auto busy = [](int64_t wait) {
        sb::Error e = sb::make_error(sb::protocol::code::rate_limited, "Too many sign-in attempts; wait before trying again.");
        e.retry_after_ms = wait;
        return e;
    };
    auto wait = retry_after_ms(username, address, now);
    if (!wait) return wait.error();
    if (wait.value()) return busy(*wait.value());
    auto count = [](const std::map<std::string, int>& m, const std::string& k) {
        auto it = m.find(k);
        return it == m.end() ? 0 : it->second;
    };
    if (count(pending_by_username_, username) >= limits_.max_pending_per_username ||
        count(pending_by_address_, address) >= limits_.max_pending_per_address ||
        pending_total_ >= limits_.max_pending_total)
        return busy(1000);
    auto row = store_.add_login_attempt(username, address, now);
    if (!row) return row.error();
    ++pending_by_username_[username];
    ++pending_by_address_[address];
    ++pending_total_;
    return LoginAttempt{username, address, row.value()};
}

sb::Result<FailureOutcome> LoginRateLimit::end_attempt(const LoginAttempt& attempt, bool right, int64_t now) {
    auto drop = [](std::map<std::string, int>& m, const std::string& k) {
        auto it = m.find(k);
        if (it != m.end() && --it->second <= 0) m.erase(it);
    };
    drop(pending_by_username_, attempt.username);
    drop(pending_by_address_, attempt.address);
    --pending_total_;
    if (right) {
        if (auto st = store_.remove_login_failure(attempt.failure_row); !st) return st.error();
        return FailureOutcome{limits_.lock_after_failures, std::nullopt};
    }
    return apply_lock(attempt.username, now, "password");
}

sb::Result<FailureOutcome> LoginRateLimit::record_failure(const std::string& username, const std::string& address,
                                                          int64_t now, std::string_view what) {
    if (auto st = store_.add_login_failure(username, address, now); !st) return st.error();
    return apply_lock(username, now, what);
}

sb::Result<FailureOutcome> LoginRateLimit::apply_lock(const std::string& username, int64_t now, std::string_view what) {
    auto recent = store_.login_failures_since(FailureKey::Username, username, now - limits_.lock_window_ms);
    if (!recent) return recent.error();
    FailureOutcome outcome;
    int count = static_cast<int>(recent.value().size());
    outcome.attempts_left = std::max(0, limits_.lock_after_failures - count);
    if (limits_.lock_after_failures > 0 && count >= limits_.lock_after_failures) {
        int64_t minutes = (limits_.lock_window_ms + 59'999) / 60'000;
        AccountLock lock{now + limits_.lock_ms, "Too many failed sign-in attempts (the last was a wrong " +
                                                    std::string(what) + "): " + std::to_string(count) +
                                                    " within " + std::to_string(minutes) + " minutes."};
        if (auto st = store_.lock_account(username, lock.locked_until, lock.reason); !st) return st.error();
        outcome.locked = std::move(lock);
    }
    return outcome;
}

sb::Status LoginRateLimit::record_success(const std::string& username) {
    return store_.clear_login_failures(username);
}

}  // namespace sbd
