// The server's key (server/accounts/mfa.h MfaKeys): what it seals opens only with it, and the hashes of
// short guessable codes (recovery codes, the verification SMS code) depend on it, so that a copy
// of the database alone cannot be searched for them.
#include <doctest/doctest.h>

#include <sodium.h>

#include "server/accounts/mfa.h"

TEST_CASE("the SMS code's stored hash is keyed: another key, or none, gives another hash") {
    REQUIRE(sodium_init() >= 0);
    const sbd::MfaKeys a = sbd::MfaKeys::random(), b = sbd::MfaKeys::random();
    const std::string h = sbd::sms_code_hash(&a, "c-1", "123456");
    CHECK(h.size() == 64);
    CHECK(h == sbd::sms_code_hash(&a, "c-1", "123456"));  // stable: the check compares it
    CHECK(h != sbd::sms_code_hash(&a, "c-1", "123457"));
    CHECK(h != sbd::sms_code_hash(&a, "c-2", "123456"));  // bound to the contact
    CHECK(h != sbd::sms_code_hash(&b, "c-1", "123456"));
    CHECK(h != sbd::sms_code_hash(nullptr, "c-1", "123456"));  // not the unkeyed BLAKE2b
    CHECK(h != a.keyed_hash("c-1:123456"));                   // nor the key's other use's hash space
    CHECK(h.find("123456") == std::string::npos);
}

TEST_CASE("recovery codes hash with the key; sealed secrets open only with their key") {
    REQUIRE(sodium_init() >= 0);
    const sbd::MfaKeys a = sbd::MfaKeys::random(), b = sbd::MfaKeys::random();
    CHECK(a.recovery_code_hash("erin", "abcd-efgh") != b.recovery_code_hash("erin", "abcd-efgh"));
    CHECK(a.recovery_code_hash("erin", "abcd-efgh") != a.recovery_code_hash("sam", "abcd-efgh"));
    const std::string sealed = a.seal("totp secret");
    CHECK(sealed.find("totp secret") == std::string::npos);
    auto opened = a.open(sealed);
    REQUIRE(opened);
    CHECK(opened.value() == "totp secret");
    CHECK_FALSE(b.open(sealed));
}
