// agent/totp.h: the agent's second factor. TOTP (RFC 6238) over HOTP (RFC 4226) with
// HMAC-SHA1, 6 digits and a 30 s step; base32 secrets (RFC 4648, unpadded) and the otpauth://
// URI that authenticator apps read from a QR code; recovery codes' normal form.
//
// Pure: time comes in as an argument, secrets as bytes; switchboardd and the tests share it.
//
// Sections: base32 · HOTP/TOTP · verification (window, replay) · otpauth URI · recovery codes
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace sb::agent {

// ---- base32 (RFC 4648 section 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") ----------------------------
std::string base32_encode(std::string_view bytes);  // uppercase, no padding
// Accepts lower case, spaces and trailing '='; anything else is bad_secret.
Result<std::string> base32_decode(std::string_view text);

// ---- HOTP / TOTP ------------------------------------------------------------------------------
inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr int kTotpWindow = 1;  // steps accepted either side of now (clock drift)

// RFC 4226 section 5.3: dynamic truncation of HMAC-SHA1(key, counter), `digits` decimal digits
// with leading zeros.
std::string hotp(std::string_view key, uint64_t counter, int digits = kTotpDigits);
// The TOTP time step of a moment (Unix ms): floor(seconds / 30).
int64_t totp_step(int64_t unix_ms, int64_t step_seconds = kTotpStepSeconds);
std::string totp(std::string_view key, int64_t unix_ms, int digits = kTotpDigits,
                 int64_t step_seconds = kTotpStepSeconds);

// ---- verification -----------------------------------------------------------------------------
// Checks a typed code against the steps now-1 .. now+1. Returns the step it matched, which the
// caller stores as the last used step. Errors (stable codes):
//   bad_code    not 6 digits (spaces allowed between them)
//   invalid_code  no step in the window gives it
//   code_reused   it matches, but at a step at or before `last_used_step` (RFC 6238 5.2: a code
//                 is accepted once)
// Every candidate is compared in full, in constant time.
Result<int64_t> verify_totp(std::string_view key, std::string_view code, int64_t now_ms, int64_t last_used_step,
                            int window = kTotpWindow);

// ---- otpauth URI (Key Uri Format, as authenticator apps read it) --------------------------------
// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer> (with percent-encoding);
// SHA1, 6 digits and 30 s are the defaults and left out.
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32);

// ---- recovery codes ---------------------------------------------------------------------------
// The form a recovery code is stored (hashed) and compared in: lowercase letters and digits
// only, so "ABCD-EFGH" and "abcd efgh" are the same code.
std::string normalize_recovery_code(std::string_view typed);
// Shows 10 characters of a normalized code as "xxxxx-xxxxx".
std::string format_recovery_code(std::string_view normalized);

// Equality that does not stop at the first difference (length is not hidden).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sb::agent
