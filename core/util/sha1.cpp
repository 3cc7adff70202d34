// SHA-1 as FIPS 180-4 section 6.1 describes it: 512-bit blocks, an 80-word message schedule,
// four rounds of twenty steps, big-endian words; HMAC as RFC 2104 section 2.
#include "util/sha1.h"

#include <algorithm>
#include <cstring>

namespace sb {
namespace {
constexpr uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
}  // namespace

Sha1::Sha1() : state_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, buffer_{} {}

void Sha1::block(const uint8_t* p) {
    uint32_t w[80];
    for (int t = 0; t < 16; ++t)
        w[t] = uint32_t(p[4 * t]) << 24 | uint32_t(p[4 * t + 1]) << 16 | uint32_t(p[4 * t + 2]) << 8 | p[4 * t + 3];
    for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
    for (int t = 0; t < 80; ++t) {
        uint32_t f, k;
        if (t < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }        // Ch
        else if (t < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }            // Parity
        else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }  // Maj
        else { f = b ^ c ^ d; k = 0xCA62C1D6; }                        // Parity
        uint32_t temp = rotl(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
}

void Sha1::update(std::string_view data) {
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    length_ += n;
    while (n > 0) {
        size_t take = std::min(n, sizeof buffer_ - buffered_);
        std::memcpy(buffer_ + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ == sizeof buffer_) {
            block(buffer_);
            buffered_ = 0;
        }
    }
}

std::array<uint8_t, 20> Sha1::digest() {
    // Padding: a 1 bit, zeros to 56 bytes mod 64, then the length in bits, big-endian.
    uint64_t bits = length_ * 8;
    static const uint8_t kPad[64] = {0x80};
    size_t pad = buffered_ < 56 ? 56 - buffered_ : 120 - buffered_;
    update(std::string_view(reinterpret_cast<const char*>(kPad), pad));
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(bits >> (56 - 8 * i));
    update(std::string_view(len, 8));
    std::array<uint8_t, 20> out{};
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(state_[i] >> (24 - 8 * j));
    return out;
}

std::array<uint8_t, 20> sha1(std::string_view data) {
    Sha1 h;
    h.update(data);
    return h.digest();
}

std::array<uint8_t, 20> hmac_sha1(std::string_view key, std::string_view message) {
    // Keys longer than the block are hashed first; shorter ones are zero-padded to 64 bytes.
    uint8_t k[64] = {};
    if (key.size() > sizeof k) {
        auto hk = sha1(key);
        std::memcpy(k, hk.data(), hk.size());
    } else {
        std::memcpy(k, key.data(), key.size());
    }
    char ipad[64], opad[64];
    for (int i = 0; i < 64; ++i) {
        ipad[i] = static_cast<char>(k[i] ^ 0x36);
        opad[i] = static_cast<char>(k[i] ^ 0x5c);
    }
    Sha1 inner;
    inner.update(std::string_view(ipad, 64));
    inner.update(message);
    auto ih = inner.digest();
    Sha1 outer;
    outer.update(std::string_view(opad, 64));
    outer.update(std::string_view(reinterpret_cast<const char*>(ih.data()), ih.size()));
    return outer.digest();
}

std::string to_hex(const uint8_t* data, size_t size) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

}  // namespace sb
