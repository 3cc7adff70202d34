// verify/normalise.cpp: answers in canonical form, and masks (see normalise.h).
#include "verify/normalise.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace sb::verify {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// A date said as words and numbers: its tokens, numbers and words apart ("7th" -> 7, "th").
struct Token {
    bool number = false;
    int value = 0;
    int digits = 0;
    std::string word;  // lower case
};

std::vector<Token> tokens(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (is_digit(s[i])) {
            Token t;
            t.number = true;
            while (i < s.size() && is_digit(s[i])) {
                if (t.digits < 9) t.value = t.value * 10 + (s[i] - '0');
                ++t.digits;
                ++i;
            }
            out.push_back(t);
        } else if (is_alpha(s[i])) {
            Token t;
            while (i < s.size() && is_alpha(s[i])) t.word += lower(s[i++]);
            out.push_back(t);
        } else {
            ++i;  // spaces, commas, dots, slashes, dashes
        }
    }
    return out;
}

int month_of(const std::string& w) {
    static const char* const names[] = {"january", "february", "march",     "april",   "may",      "june",
                                        "july",    "august",   "september", "october", "november", "december"};
    if (w.size() < 3) return 0;
    for (int m = 0; m < 12; ++m) {
        std::string_view full = names[m];
        if (w == full || (w.size() <= full.size() && full.substr(0, w.size()) == w)) return m + 1;
        if (m == 8 && w == "sept") return 9;
    }
    return 0;
}

bool is_ordinal(const std::string& w) { return w == "st" || w == "nd" || w == "rd" || w == "th"; }

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in(int m, int y) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

std::optional<std::string> ymd(int y, int m, int d, int year_digits) {
    if (year_digits == 2) y += y < 30 ? 2000 : 1900;
    else if (year_digits != 4) return std::nullopt;
    if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in(m, y)) return std::nullopt;
    char buf[24];  // room for any int the compiler cannot rule out, though y, m, d are checked above
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
}

}  // namespace

// ---- normalisers --------------------------------------------------------------------------------
std::optional<std::string> normalise_date(std::string_view s) {
    std::vector<Token> all = tokens(s);
    std::vector<Token> t;
    for (const Token& x : all)
        if (x.number || (!is_ordinal(x.word) && x.word != "of")) t.push_back(x);
    if (t.size() != 3) return std::nullopt;
    // Words: a month name, day and year numbers around it ("7 March 1984", "March 7 1984").
    int word_at = -1;
    for (int i = 0; i < 3; ++i)
        if (!t[i].number) {
            if (word_at >= 0) return std::nullopt;
            word_at = i;
        }
    if (word_at >= 0) {
        int month = month_of(t[word_at].word);
        if (!month || word_at == 2) return std::nullopt;
        const Token& day = word_at == 0 ? t[1] : t[0];
        const Token& year = t[2];
        if (day.digits > 2) return std::nullopt;
        return ymd(year.value, month, day.value, year.digits);
    }
    // Numbers only.
    if (t[0].digits == 4) return ymd(t[0].value, t[1].value, t[2].value, 4);  // year first
    if (t[0].digits > 2 || t[1].digits > 2) return std::nullopt;
    int a = t[0].value, b = t[1].value;
    if (b > 12 && a <= 12) return ymd(t[2].value, a, b, t[2].digits);  // 03/13/1984: US order
    return ymd(t[2].value, b, a, t[2].digits);                          // day first
}

std::optional<std::string> normalise_postcode(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (is_alpha(c) || is_digit(c)) out += upper(c);
        else if (c != ' ' && c != '-' && c != '\t') return std::nullopt;
    }
    if (out.size() < 3 || out.size() > 10) return std::nullopt;
    bool all_digits = out.find_first_not_of("0123456789") == std::string::npos;
    if (all_digits && out.size() == 9) out.resize(5);  // ZIP+4
    return out;
}

std::string normalise_phrase(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (is_alpha(c) || is_digit(c)) out += lower(c);
        else if (static_cast<unsigned char>(c) >= 0x80) out += c;  // other scripts, as they are
    }
    return out;
}

std::string digits_of(std::string_view s) {
    std::string out;
    for (char c : s)
        if (is_digit(c)) out += c;
    return out;
}

Result<std::string> normalise_answer(StepKind step, std::string_view answer) {
    auto bad = [](std::string m) { return make_error("bad_message", std::move(m)); };
    if (answer.size() > 200) return bad("The answer is too long.");
    switch (step) {
        case StepKind::Dob: {
            auto d = normalise_date(answer);
            if (!d) return bad("Not a date: try 1984-03-07, 07/03/1984 or 7 March 1984.");
            return *d;
        }
        case StepKind::Postcode: {
            auto p = normalise_postcode(answer);
            if (!p) return bad("Not a postcode or ZIP code.");
            return *p;
        }
        case StepKind::AccountLast4: {
            std::string d = digits_of(answer);
            if (d.size() < 4) return bad("Give the last four digits of the account number.");
            return d.substr(d.size() - 4);
        }
        case StepKind::SecurityPhrase: {
            std::string p = normalise_phrase(answer);
            if (p.empty()) return bad("The security phrase is empty.");
            return p;
        }
        case StepKind::SmsCode: {
            std::string d = digits_of(answer);
            if (d.size() != 6) return bad("The code has 6 digits.");
            return d;
        }
        case StepKind::CallerNumber:
            return bad("caller_number is a hint shown to the agent; it cannot be answered.");
    }
    return bad("Unknown step.");
}

// ---- masks ----------------------------------------------------------------------------------------
std::string mask_account_number(std::string_view number) {
    const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";  // ••••
    std::string d = digits_of(number);
    std::string tail = d.size() >= 5 ? d.substr(d.size() - 4) : "";
    if (tail.empty() && number.size() >= 5) tail = std::string(number.substr(number.size() - 4));
    return tail.empty() ? dots : dots + " " + tail;
}

std::string mask_phone(std::string_view e164) { return mask_account_number(e164); }

}  // namespace sb::verify
