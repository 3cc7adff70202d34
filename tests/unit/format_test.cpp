// shell/format.h: the words the desk prints for durations, countdowns, names, money and dates.
#include <doctest/doctest.h>

#include <cstdint>
#include <ctime>
#include <string>

#include "shell/format.h"

using namespace sb::shell::ui;

TEST_CASE("format_duration: minutes and seconds, hours only once there are any") {
    CHECK(format_duration(0) == "00:00");
    CHECK(format_duration(999) == "00:00");  // whole seconds, rounded down
    CHECK(format_duration(247'000) == "04:07");
    CHECK(format_duration(750'000) == "12:30");
    CHECK(format_duration(3'723'000) == "1:02:03");
    CHECK(format_duration(-5'000) == "00:00");
}

TEST_CASE("format_state_time: seconds through the first minute, then minutes") {
    CHECK(format_state_time(42'000) == "00:42");
    CHECK(format_state_time(59'999) == "00:59");
    CHECK(format_state_time(60'000) == "1 min");
    CHECK(format_state_time(7 * 60'000 + 59'000) == "7 min");
    CHECK(format_state_time(65 * 60'000) == "1 h 05 min");
    CHECK(format_state_time(-1) == "00:00");

    CHECK(ms_to_next_state_time(42'300) == 700);       // next second
    CHECK(ms_to_next_state_time(60'000) == 60'000);    // next minute
    CHECK(ms_to_next_state_time(90'000) == 30'000);
}

TEST_CASE("seconds_until rounds up; ms_to_next_second says when that count changes") {
    CHECK(seconds_until(10'000, 7'000) == 3);
    CHECK(seconds_until(10'000, 7'001) == 3);
    CHECK(seconds_until(10'000, 9'999) == 1);
    CHECK(seconds_until(10'000, 10'000) == 0);
    CHECK(seconds_until(10'000, 12'000) == 0);

    CHECK(ms_to_next_second(10'000, 7'000) == 1000);
    CHECK(ms_to_next_second(10'000, 7'250) == 750);
    CHECK(ms_to_next_second(10'000, 10'000) == -1);  // passed: nothing to redraw for
}

TEST_CASE("initials: first and last word, whole UTF-8 characters, upper-cased ASCII") {
    CHECK(initials("Ada Lovelace") == "AL");
    CHECK(initials("ada") == "A");
    CHECK(initials("Mary Ann Smith") == "MS");
    CHECK(initials("jean-luc picard") == "JP");
    CHECK(initials("\xC3\x89mile Zola") == "\xC3\x89Z");  // "Émile Zola" -> "ÉZ"
    CHECK(initials("") == "?");
    CHECK(initials(" . _") == "?");
}

TEST_CASE("format_money: symbol for USD, EUR and GBP, the code after the figure otherwise") {
    CHECK(format_money(4599, "USD") == "$45.99");
    CHECK(format_money(4599, "") == "$45.99");
    CHECK(format_money(1200, "EUR") == "\xE2\x82\xAC" "12.00");
    CHECK(format_money(5, "GBP") == "\xC2\xA3" "0.05");
    CHECK(format_money(1200, "SEK") == "12.00 SEK");
    CHECK(format_money(-250, "USD") == "-$2.50");
    CHECK(format_money(0, "USD") == "$0.00");
}

TEST_CASE("format_clock, format_date and same_day read the local calendar") {
    // 12 Mar 2024 14:05 local time, whatever the zone the tests run in (no DST change at 14:05).
    std::tm t{};
    t.tm_year = 2024 - 1900;
    t.tm_mon = 2;
    t.tm_mday = 12;
    t.tm_hour = 14;
    t.tm_min = 5;
    t.tm_isdst = -1;
    const int64_t at_ms = static_cast<int64_t>(std::mktime(&t)) * 1000 + 250;
    CHECK(format_clock(at_ms) == "14:05");
    CHECK(format_date(at_ms) == "12 Mar 2024");
    CHECK(same_day(at_ms, at_ms + 3'600'000));        // 15:05 the same day
    CHECK_FALSE(same_day(at_ms, at_ms + 11 * 3'600'000));  // 01:05 the next day
}
