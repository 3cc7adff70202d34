// auth.h: what proves an agent is who they say: Argon2id password hashes, session tokens
// (random, only their hash is stored) and the login rate limit.
//
// Sections: passwords · tokens · LoginRateLimit
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store.h"
#include "util/result.h"

namespace sbd {

// ---- passwords ----------------------------------------------------------------------------------
// Argon2id ($argon2id$...) with libsodium's interactive limits.
sb::Result<std::string> hash_password(std::string_view password);

// Verifies a password against a stored hash. With no stored hash (unknown username) it still
// does the same Argon2 work against a dummy hash, so timing does not tell which was wrong.
class PasswordVerifier {
public:
    PasswordVerifier();  // computes the dummy hash once
    bool verify(const std::optional<std::string>& stored_hash, std::string_view password) const;

private:
    std::string dummy_hash_;
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
};

// Counts failed logins in the store, per username and per remote address, over a sliding window.
class LoginRateLimit {
public:
    LoginRateLimit(Store& store, LoginLimits limits) : store_(store), limits_(limits) {}

    // How long until a login for (username, address) may be tried, or nullopt if it may now.
    sb::Result<std::optional<int64_t>> retry_after_ms(const std::string& username, const std::string& address,
                                                       int64_t now);
    sb::Status record_failure(const std::string& username, const std::string& address, int64_t now);
    sb::Status record_success(const std::string& username);

private:
    Store& store_;
    LoginLimits limits_;
};

}  // namespace sbd
