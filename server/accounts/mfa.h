// mfa.h: the server's side of the agent's second factor (TOTP, core/agent/totp.h): the policy,
// the key that seals TOTP secrets and keys recovery-code hashes, sign-in challenges, recovery
// codes and the QR code of an enrollment (libqrencode).
//
// Sections: policy · MfaKeys · challenges · recovery codes · QR
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/result.h"

namespace sbd {

// ---- policy -------------------------------------------------------------------------------------
// The server's --mfa: required (everyone enrolls), optional (asked of those who enrolled), off.
enum class MfaPolicy { Required, Optional, Off };
std::optional<MfaPolicy> parse_mfa_policy(std::string_view s);

// What sign-in asks of an agent after the password.
enum class MfaNeed { None, Code, Enroll };
// agent_policy: the agent's column ("default", "required", "off"); default follows the server.
MfaNeed mfa_need(MfaPolicy server, std::string_view agent_policy, bool enrolled);

struct MfaConfig {
    MfaPolicy policy = MfaPolicy::Required;
    int64_t challenge_ttl_ms = 5 * 60 * 1000;
    std::string issuer = "Switchboard";
};

// ---- MfaKeys ------------------------------------------------------------------------------------
// 32 random bytes in a file of their own (mode 0600, created on first start), kept apart from
// the database: a copy of the database alone reveals no TOTP secret and cannot be used to
// guess recovery codes offline.
class MfaKeys {
public:
    static sb::Result<MfaKeys> load_or_create(const std::string& path);
    static MfaKeys random();  // for tests: a key that lives as long as the process

    // XSalsa20-Poly1305 (crypto_secretbox) with a random nonce; base64 of nonce + box.
    std::string seal(std::string_view secret) const;
    sb::Result<std::string> open(std::string_view sealed) const;
    // Keyed BLAKE2b of (agent, normalized code), hex.
    std::string recovery_code_hash(std::string_view agent, std::string_view normalized_code) const;
    // Keyed BLAKE2b of anything short-lived and guessable that must be stored only hashed (the
    // verification SMS code: six digits, which an unkeyed hash would give away), hex.
    // `purpose` (at most 16 bytes) personalises the hash, so that no two uses of the key share
    // a hash space.
    std::string keyed_hash(std::string_view input, std::string_view purpose = {}) const;

private:
    std::string key_;
};

// What is stored of a verification SMS code (verification.h): keyed BLAKE2b of (contact, code)
// with the server's key (unkeyed only without one, in tests), so that a copy of the database
// does not give the six digits away. Hex.
std::string sms_code_hash(const MfaKeys* keys, const std::string& contact, const std::string& code);

// ---- challenges ---------------------------------------------------------------------------------
// What a login that needs a second step leaves behind, found by the hash of its token. In memory:
// a restart simply asks the agent to sign in again.
struct MfaChallenge {
    std::string agent;
    MfaNeed step = MfaNeed::Code;
    std::string secret;  // Enroll: the new TOTP secret (raw bytes), saved once a code proves it
    int64_t expires_at = 0;
};

class MfaChallenges {
public:
    // Returns the token the client sends back.
    std::string issue(MfaChallenge challenge);
    MfaChallenge* find(const std::string& token);
    void erase(const std::string& token);
    void forget_expired(int64_t now);

private:
    std::unordered_map<std::string, MfaChallenge> by_hash_;
};

// ---- recovery codes -----------------------------------------------------------------------------
inline constexpr int kRecoveryCodes = 10;
// kRecoveryCodes codes of 10 characters from an alphabet without look-alikes (~50 bits each),
// normalized (core/agent/totp.h); shown formatted "xxxxx-xxxxx".
std::vector<std::string> new_recovery_codes();
// A new TOTP secret: 20 random bytes (160 bits, RFC 4226's recommendation).
std::string new_totp_secret();

// ---- QR -----------------------------------------------------------------------------------------
struct QrMatrix {
    int size = 0;
    std::string modules;  // size * size of '0'/'1', row by row, '1' dark; no quiet zone
};
sb::Result<QrMatrix> qr_matrix(std::string_view text);

}  // namespace sbd
