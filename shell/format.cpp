// shell/format.cpp: words and figures for times, money and names (see format.h).
#include "format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace sb::shell::ui {

// ---- durations and countdowns ------------------------------------------------------------------

std::string format_duration(int64_t ms) {
    int64_t total = std::max<int64_t>(0, ms) / 1000;
    int64_t h = total / 3600, m = (total / 60) % 60, sec = total % 60;
    char buf[32];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(h), static_cast<long long>(m),
                      static_cast<long long>(sec));
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(m), static_cast<long long>(sec));
    return buf;
}

std::string format_state_time(int64_t ms) {
    ms = std::max<int64_t>(0, ms);
    if (ms < 60'000) return format_duration(ms);
    const long long minutes = ms / 60'000;
    char buf[32];
    if (minutes < 60)
        std::snprintf(buf, sizeof buf, "%lld min", minutes);
    else
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", minutes / 60, minutes % 60);
    return buf;
}

int64_t ms_to_next_state_time(int64_t ms) {
    ms = std::max<int64_t>(0, ms);
    return ms < 60'000 ? 1000 - ms % 1000 : 60'000 - ms % 60'000;
}

int64_t seconds_until(int64_t at_ms, int64_t now_ms) {
    return at_ms <= now_ms ? 0 : (at_ms - now_ms + 999) / 1000;
}

int64_t ms_to_next_second(int64_t at_ms, int64_t now_ms) {
    if (at_ms <= now_ms) return -1;
    int64_t rem = (at_ms - now_ms) % 1000;
    return rem == 0 ? 1000 : rem;
}

// ---- names -------------------------------------------------------------------------------------

std::string initials(std::string_view name) {
    std::string out;
    bool at_word_start = true;
    for (size_t i = 0; i < name.size() && out.size() < 8; ++i) {
        unsigned char c = static_cast<unsigned char>(name[i]);
        if (c == ' ' || c == '.' || c == '_' || c == '-') {
            at_word_start = true;
            continue;
        }
        if (at_word_start && (c & 0xC0) != 0x80) {
            // Copy one whole UTF-8 character so "Émile" gives "É".
            size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
            std::string ch(name.substr(i, len));
            if (len == 1) ch[0] = static_cast<char>(std::toupper(c));
            out += ch;
            at_word_start = false;
        }
    }
    // Keep the first and the last initial: "Mary Ann Smith" -> "MS".
    if (out.size() > 2) {
        size_t first_len = 1;
        while (first_len < out.size() && (static_cast<unsigned char>(out[first_len]) & 0xC0) == 0x80) ++first_len;
        size_t last = out.size() - 1;
        while (last > 0 && (static_cast<unsigned char>(out[last]) & 0xC0) == 0x80) --last;
        out = out.substr(0, first_len) + out.substr(last);
    }
    return out.empty() ? "?" : out;
}

// ---- money -------------------------------------------------------------------------------------

std::string format_money(int64_t minor_units, std::string_view currency) {
    const int64_t a = minor_units < 0 ? -minor_units : minor_units;
    std::string frac = std::to_string(a % 100);
    if (frac.size() < 2) frac = "0" + frac;
    const std::string figure = std::to_string(a / 100) + "." + frac;
    const std::string sign = minor_units < 0 ? "-" : "";
    if (currency.empty() || currency == "USD") return sign + "$" + figure;
    if (currency == "EUR") return sign + "€" + figure;
    if (currency == "GBP") return sign + "£" + figure;
    return sign + figure + " " + std::string(currency);
}

// ---- clock and calendar ------------------------------------------------------------------------

namespace {
std::tm local_tm(int64_t at_ms) {
    std::time_t t = static_cast<std::time_t>(at_ms / 1000);
    std::tm out{};
    localtime_r(&t, &out);
    return out;
}
}  // namespace

std::string format_clock(int64_t at_ms) {
    std::tm t = local_tm(at_ms);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", t.tm_hour, t.tm_min);
    return buf;
}

std::string format_date(int64_t at_ms) {
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm t = local_tm(at_ms);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d %s %d", t.tm_mday, kMonths[std::clamp(t.tm_mon, 0, 11)], t.tm_year + 1900);
    return buf;
}

bool same_day(int64_t a_ms, int64_t b_ms) {
    std::tm a = local_tm(a_ms), b = local_tm(b_ms);
    return a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
}

}  // namespace sb::shell::ui
