// util/sha1.h: SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), for TOTP (RFC 6238) only.
//
// TOTP authenticator apps compute HMAC-SHA1, so the server and the tests need it; SHA-1 is not
// collision resistant and nothing else should hash with it. Pure: no state outside the object.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

// Incremental SHA-1: update() any number of times, then digest() once.
class Sha1 {
public:
    Sha1();
    void update(std::string_view data);
    std::array<uint8_t, 20> digest();  // finishes the hash; the object is spent afterwards

private:
    void block(const uint8_t* p);
    uint32_t state_[5];
    uint64_t length_ = 0;  // bytes seen
    uint8_t buffer_[64];
    size_t buffered_ = 0;
};

std::array<uint8_t, 20> sha1(std::string_view data);

// HMAC-SHA1 of `message` under `key` (RFC 2104 with B = 64, L = 20).
std::array<uint8_t, 20> hmac_sha1(std::string_view key, std::string_view message);

// Lowercase hex of a digest, for tests and logs of non-secret values.
std::string to_hex(const uint8_t* data, size_t size);

}  // namespace sb
