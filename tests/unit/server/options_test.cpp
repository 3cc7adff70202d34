// options_test.cpp: switchboardd's command line (server/app/options.h): the limits' options take
// what they document and refuse the rest with a message naming the option.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "server/app/options.h"

TEST_CASE("--anonymous-time-share: a percentage of the I/O thread from 1 to 100, 50 by default") {
    auto parsed = sbd::parse_options({"--db", "x.db"});
    REQUIRE(parsed);
    CHECK(parsed.value().anonymous_time_share == 50);
    auto set = sbd::parse_options({"--db", "x.db", "--anonymous-time-share", "25"});
    REQUIRE(set);
    CHECK(set.value().anonymous_time_share == 25);
    for (std::string bad : {"0", "101", "half", "-5", ""}) {
        auto refused = sbd::parse_options({"--db", "x.db", "--anonymous-time-share", bad});
        CHECK_FALSE(refused);
        if (!refused) CHECK(refused.error().message.find("--anonymous-time-share") != std::string::npos);
    }
}

TEST_CASE("--anonymous-frame-rate: a count from 1 to 1000000") {
    auto set = sbd::parse_options({"--db", "x.db", "--anonymous-frame-rate", "500"});
    REQUIRE(set);
    CHECK(set.value().anonymous_frame_rate == 500);
    CHECK_FALSE(sbd::parse_options({"--db", "x.db", "--anonymous-frame-rate", "0"}));
    CHECK_FALSE(sbd::parse_options({"--db", "x.db", "--anonymous-frame-rate", "2000000"}));
}

TEST_CASE("--password-workers: 1 to 256 threads; without it, one per core (0)") {
    auto parsed = sbd::parse_options({"--db", "x.db"});
    REQUIRE(parsed);
    CHECK(parsed.value().password_workers == 0);
    auto set = sbd::parse_options({"--db", "x.db", "--password-workers", "3"});
    REQUIRE(set);
    CHECK(set.value().password_workers == 3);
    for (std::string bad : {"0", "257", "many", ""}) {
        auto refused = sbd::parse_options({"--db", "x.db", "--password-workers", bad});
        CHECK_FALSE(refused);
        if (!refused) CHECK(refused.error().message.find("--password-workers") != std::string::npos);
    }
}
