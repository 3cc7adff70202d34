// Client text quoted back (core/util/text.h): never cut inside a character, always valid UTF-8,
// and what it makes always serialises (a cut multi-byte character made nlohmann's dump() throw,
// and one such frame stopped the server).
#include <doctest/doctest.h>

#include <string>

#include "protocol/schema.h"
#include "util/text.h"

using sb::text::is_valid_utf8;
using sb::text::quote;
using sb::text::utf8_prefix;

TEST_CASE("text: utf8_prefix steps back to the start of the character it would split") {
    std::string s = "a\xC3\xA9\xC3\xA9";         // a é é: 5 bytes
    CHECK(utf8_prefix(s, 5) == s);
    CHECK(utf8_prefix(s, 4) == "a\xC3\xA9");    // inside the second é
    CHECK(utf8_prefix(s, 2) == "a");            // inside the first
    CHECK(utf8_prefix("\xE2\x9C\x93\xE2\x9C\x93", 5) == "\xE2\x9C\x93");  // ✓✓, 3-byte characters
    CHECK(utf8_prefix("\xF0\x9F\x98\x80", 3).empty());                       // a 4-byte emoji
    CHECK(utf8_prefix("", 0).empty());
}

TEST_CASE("text: quote is valid UTF-8 whatever it is given, and marks a cut") {
    std::string long_type = "a" + std::string(80, '\0');
    for (int i = 0; i < 40; ++i) long_type.replace(1 + 2 * i, 2, "\xC3\xA9");
    std::string q = quote(long_type);
    CHECK(is_valid_utf8(q));
    CHECK(q.size() <= 64 + 3);
    CHECK(q.substr(q.size() - 3) == "\xE2\x80\xA6");  // …
    CHECK(quote("short") == "short");
    // Ill-formed bytes become U+FFFD; the rest is kept.
    CHECK(quote("x\xFFy") == "x\xEF\xBF\xBDy");
    CHECK(quote("\xC3") == "\xEF\xBF\xBD");
    CHECK(quote("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
    // Every cut length of a mixed string serialises.
    std::string mixed = "A\xC3\xA9\xE2\x9C\x93\xF0\x9F\x98\x80z";
    for (std::size_t n = 0; n <= mixed.size(); ++n) {
        CAPTURE(n);
        std::string cut = quote(mixed, n);
        CHECK(is_valid_utf8(cut));
        CHECK_NOTHROW((void)sb::protocol::json{{"message", cut}}.dump());
    }
}

TEST_CASE("text: to_text never throws, even on a string that is not UTF-8") {
    sb::protocol::json frame{{"type", "reply"}, {"message", std::string("bad \xC3 byte")}};
#if !defined(__EMSCRIPTEN__)  // the web build has no exceptions: a throw there aborts the app
    CHECK_THROWS((void)frame.dump());  // what to_text saves every socket and log path from
#endif
    std::string text;
    CHECK_NOTHROW(text = sb::protocol::to_text(frame));
    CHECK(text.find("bad \xEF\xBF\xBD byte") != std::string::npos);
}

TEST_CASE("text: is_valid_utf8 and utf8_length") {
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\xE4\xBD\xA0\xE5\xA5\xBD"));
    CHECK(!is_valid_utf8("\xC0\x80"));        // overlong
    CHECK(!is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK(sb::text::utf8_length("\xE4\xBD\xA0\xE5\xA5\xBD" "a") == 3);
}
