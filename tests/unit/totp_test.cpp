// SHA-1 (FIPS 180-4 examples), HMAC-SHA1 (RFC 2202 section 3), base32 (RFC 4648 section 10),
// HOTP (RFC 4226 appendix D), TOTP (RFC 6238 appendix B, the SHA-1 rows), the ±1 step window,
// replay of a used step, the otpauth URI and recovery codes' normal form.
#include <doctest/doctest.h>

#include <string>

#include "agent/totp.h"
#include "util/sha1.h"

using namespace sb;
using namespace sb::agent;

namespace {
std::string hex(const std::array<uint8_t, 20>& d) { return to_hex(d.data(), d.size()); }
std::string bytes(size_t n, char c) { return std::string(n, c); }
// RFC 6238's SHA-1 seed: the ASCII digits "12345678901234567890".
const std::string kSeed = "12345678901234567890";
}  // namespace

TEST_CASE("sha1: FIPS 180-4 examples") {
    CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    Sha1 million;  // fed in uneven pieces, to cross block boundaries
    std::string a(997, 'a');
    size_t left = 1'000'000;
    while (left > 0) {
        size_t n = std::min(left, a.size());
        million.update(std::string_view(a.data(), n));
        left -= n;
    }
    CHECK(hex(million.digest()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("hmac-sha1: RFC 2202 test cases") {
    CHECK(hex(hmac_sha1(bytes(20, 0x0b), "Hi There")) == "b617318655057264e28bc0b6fb378c8ef146be00");
    CHECK(hex(hmac_sha1("Jefe", "what do ya want for nothing?")) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(hex(hmac_sha1(bytes(20, '\xaa'), bytes(50, '\xdd'))) == "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
    std::string key4;
    for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
    CHECK(hex(hmac_sha1(key4, bytes(50, '\xcd'))) == "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
    CHECK(hex(hmac_sha1(bytes(20, 0x0c), "Test With Truncation")) == "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    CHECK(hex(hmac_sha1(bytes(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
          "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    CHECK(hex(hmac_sha1(bytes(80, '\xaa'),
                        "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")) ==
          "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST_CASE("base32: RFC 4648 vectors, unpadded, and what decoding accepts") {
    const std::pair<const char*, const char*> v[] = {{"", ""},          {"f", "MY"},          {"fo", "MZXQ"},
                                                     {"foo", "MZXW6"},  {"foob", "MZXW6YQ"},  {"fooba", "MZXW6YTB"},
                                                     {"foobar", "MZXW6YTBOI"}};
    for (auto [plain, encoded] : v) {
        CHECK(base32_encode(plain) == encoded);
        CHECK(base32_decode(encoded).value() == plain);
    }
    CHECK(base32_decode("mzxw 6ytb oi").value() == "foobar");  // as people copy it
    CHECK(base32_decode("MZXW6YQ=").value() == "foob");
    CHECK(base32_decode("MZXW1").error().code == "bad_secret");  // 1 is not base32
    CHECK(base32_decode("MZ=XW").error().code == "bad_secret");
    std::string twenty = base32_encode(kSeed);
    CHECK(twenty == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST_CASE("hotp: RFC 4226 appendix D") {
    const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                              "254676", "287922", "162583", "399871", "520489"};
    for (uint64_t c = 0; c < 10; ++c) CHECK(hotp(kSeed, c) == expected[c]);
}

TEST_CASE("totp: RFC 6238 appendix B, SHA-1, 8 digits") {
    const std::pair<int64_t, const char*> v[] = {{59, "94287082"},         {1111111109, "07081804"},
                                                 {1111111111, "14050471"}, {1234567890, "89005924"},
                                                 {2000000000, "69279037"}, {20000000000, "65353130"}};
    for (auto [seconds, code] : v) CHECK(totp(kSeed, seconds * 1000, 8) == code);
    CHECK(totp_step(59'999) == 1);
    CHECK(totp_step(60'000) == 2);
    CHECK(totp(kSeed, 59'000) == "287082");  // 6 digits: the last six of the 8-digit code's HOTP
}

TEST_CASE("totp: the window accepts one step either side and refuses two") {
    const int64_t now = 1'700'000'015'000;  // mid-step
    const int64_t step = totp_step(now);
    for (int d : {-1, 0, 1}) {
        auto r = verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step + d)), now, 0);
        REQUIRE_MESSAGE(r.ok(), "offset " << d);
        CHECK(r.value() == step + d);
    }
    for (int d : {-2, 2}) {
        auto r = verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step + d)), now, 0);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "invalid_code");
    }
    // At a step's last millisecond and the next one's first, the window moves with it.
    int64_t edge = (step + 1) * 30'000 - 1;
    CHECK(verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step - 1)), edge, 0).ok());
    CHECK_FALSE(verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step - 1)), edge + 1, 0).ok());
    CHECK(verify_totp(kSeed, "000000", now, 0).error().code == "invalid_code");
    CHECK(verify_totp("another key", hotp(kSeed, static_cast<uint64_t>(step)), now, 0).error().code == "invalid_code");
}

TEST_CASE("totp: a code is used once; a later step still works") {
    const int64_t now = 1'700'000'015'000;
    const int64_t step = totp_step(now);
    std::string code = hotp(kSeed, static_cast<uint64_t>(step));
    auto first = verify_totp(kSeed, code, now, 0);
    REQUIRE(first.ok());
    int64_t last = first.value();
    CHECK(verify_totp(kSeed, code, now + 5'000, last).error().code == "code_reused");
    // An earlier step's code, still inside the window, is refused too: steps only move forward.
    CHECK(verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step - 1)), now, last).error().code == "code_reused");
    auto next = verify_totp(kSeed, hotp(kSeed, static_cast<uint64_t>(step + 1)), now + 30'000, last);
    REQUIRE(next.ok());
    CHECK(next.value() == step + 1);
}

TEST_CASE("totp: the code's form is checked before any arithmetic") {
    const int64_t now = 1'700'000'015'000;
    std::string good = hotp(kSeed, static_cast<uint64_t>(totp_step(now)));
    CHECK(verify_totp(kSeed, good.substr(0, 3) + " " + good.substr(3), now, 0).ok());  // "123 456"
    CHECK(verify_totp(kSeed, "12345", now, 0).error().code == "bad_code");
    CHECK(verify_totp(kSeed, "1234567", now, 0).error().code == "bad_code");
    CHECK(verify_totp(kSeed, "12a456", now, 0).error().code == "bad_code");
    CHECK(verify_totp(kSeed, "", now, 0).error().code == "bad_code");
}

TEST_CASE("otpauth URI and recovery codes") {
    CHECK(otpauth_uri("Switchboard", "alice", "JBSWY3DPEHPK3PXP") ==
          "otpauth://totp/Switchboard:alice?secret=JBSWY3DPEHPK3PXP&issuer=Switchboard");
    CHECK(otpauth_uri("Acme Co", "a b@x", "AB") == "otpauth://totp/Acme%20Co:a%20b%40x?secret=AB&issuer=Acme%20Co");
    CHECK(normalize_recovery_code("ABCDE-fghij") == "abcdefghij");
    CHECK(normalize_recovery_code(" abcde fghij ") == "abcdefghij");
    CHECK(format_recovery_code("abcdefghij") == "abcde-fghij");
    CHECK(constant_time_equal("123456", "123456"));
    CHECK_FALSE(constant_time_equal("123456", "123457"));
    CHECK_FALSE(constant_time_equal("12345", "123456"));
}
