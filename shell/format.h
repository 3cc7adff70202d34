// shell/format.h: words and figures for times, money and names, as the panels print them.
//
// Sections: durations and countdowns · names · money · clock and calendar
// Pure string work: no ImGui, no DeskState, so a panel's wording can be checked without drawing
// (tests/unit/format_test.cpp). Drawing the text is widgets.h's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::shell::ui {

// ---- durations and countdowns ------------------------------------------------------------------
// "04:07", "12:30", "1:02:03": minutes and seconds, hours only once there are any.
std::string format_duration(int64_t ms);
// Time in a presence state, as the agent bar shows it: "00:42" through the first minute (the
// change has landed and the clock runs), then whole minutes, "7 min", "1 h 05 min": an agent
// reads a break or an idle spell in minutes, and the desk then redraws once a minute, not once a
// second. Call and wait timers, which are read to the second, keep format_duration.
std::string format_state_time(int64_t ms);
// Milliseconds until format_state_time(ms) next changes.
int64_t ms_to_next_state_time(int64_t ms);
// Whole seconds until `at_ms`, rounded up ("retrying in 3 s"); 0 once it has passed.
int64_t seconds_until(int64_t at_ms, int64_t now_ms);
// Milliseconds until that count next changes, for scheduling the redraw that updates it.
int64_t ms_to_next_second(int64_t at_ms, int64_t now_ms);

// ---- names -------------------------------------------------------------------------------------
// "Ada Lovelace" -> "AL", "ada" -> "A".
std::string initials(std::string_view name);

// ---- money -------------------------------------------------------------------------------------
// "$45.99" (USD), "€12.00", "12.00 SEK" from minor units; negative amounts with a leading "-".
std::string format_money(int64_t minor_units, std::string_view currency);

// ---- clock and calendar ------------------------------------------------------------------------
// Wall-clock words for a server timestamp (ms since the epoch), in the browser's time zone:
// "14:05", and "12 Mar 2024".
std::string format_clock(int64_t at_ms);
std::string format_date(int64_t at_ms);
// True when two timestamps fall on the same local calendar day.
bool same_day(int64_t a_ms, int64_t b_ms);

}  // namespace sb::shell::ui
