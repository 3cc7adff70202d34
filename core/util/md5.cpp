// MD5 as RFC 1321 section 3 describes it: 512-bit blocks, four rounds of sixteen steps, the
// sine-derived constants T[i] = floor(2**32 * |sin(i + 1)|) and little-endian words.
#include "util/md5.h"

#include <cstring>

namespace sb {
namespace {

constexpr uint32_t kT[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
// Shift amounts per round, four per round (RFC 1321 3.4: S11..S44).
constexpr int kS[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

constexpr uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

}  // namespace

Md5::Md5() : state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}, buffer_{} {}

void Md5::block(const uint8_t* p) {
    uint32_t x[16];
    for (int i = 0; i < 16; ++i)
        x[i] = uint32_t(p[4 * i]) | uint32_t(p[4 * i + 1]) << 8 | uint32_t(p[4 * i + 2]) << 16 |
               uint32_t(p[4 * i + 3]) << 24;
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    for (int i = 0; i < 64; ++i) {
        uint32_t f;
        int k;
        switch (i / 16) {
            case 0: f = (b & c) | (~b & d); k = i; break;                 // F, in order
            case 1: f = (b & d) | (c & ~d); k = (1 + 5 * i) % 16; break;  // G
            case 2: f = b ^ c ^ d; k = (5 + 3 * i) % 16; break;           // H
            default: f = c ^ (b | ~d); k = (7 * i) % 16; break;           // I
        }
        uint32_t rotated = rotl(a + f + x[k] + kT[i], kS[i / 16][i % 4]);
        a = d;
        d = c;
        c = b;
        b = b + rotated;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
}

void Md5::update(std::string_view data) {
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    length_ += n;
    while (n > 0) {
        size_t take = 64 - buffered_ < n ? 64 - buffered_ : n;
        std::memcpy(buffer_ + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ == 64) {
            block(buffer_);
            buffered_ = 0;
        }
    }
}

std::array<uint8_t, 16> Md5::digest() {
    // Padding (RFC 1321 3.1, 3.2): one 1 bit, zeros to 56 mod 64 bytes, the bit length as a
    // little-endian 64-bit number.
    const uint64_t bits = length_ * 8;
    static const char kPad[64] = {char(0x80)};
    size_t pad = buffered_ < 56 ? 56 - buffered_ : 120 - buffered_;
    update(std::string_view(kPad, pad));
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = char((bits >> (8 * i)) & 0xff);
    update(std::string_view(len, 8));
    std::array<uint8_t, 16> out{};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t((state_[i] >> (8 * j)) & 0xff);
    return out;
}

std::string md5_hex(std::string_view data) {
    Md5 h;
    h.update(data);
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (uint8_t b : h.digest()) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

}  // namespace sb
