// contact/payment_card.cpp: see payment_card.h.
#include "contact/payment_card.h"

#include "contact/card.h"

namespace sb::contact {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The number made of digits[0, n) (n <= 6 here).
int prefix(std::string_view digits, std::size_t n) {
    if (digits.size() < n) return -1;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (digits[i] - '0');
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::optional<int> all_digits(std::string_view s) {
    if (s.empty() || s.size() > 4) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}
}  // namespace

// ---- numbers ------------------------------------------------------------------------------------
std::optional<std::string> normalise_card_number(std::string_view number) {
    std::string out;
    out.reserve(number.size());
    for (char c : number) {
        if (is_digit(c)) out += c;
        else if (c != ' ' && c != '-') return std::nullopt;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::string card_last4(std::string_view digits) {
    return std::string(digits.size() <= 4 ? digits : digits.substr(digits.size() - 4));
}

// ---- brands -------------------------------------------------------------------------------------
std::string_view to_string(CardBrand brand) {
    switch (brand) {
        case CardBrand::Visa: return "visa";
        case CardBrand::Mastercard: return "mastercard";
        case CardBrand::Amex: return "amex";
        case CardBrand::Discover: return "discover";
        case CardBrand::Unknown: break;
    }
    return "unknown";
}

CardBrand card_brand(std::string_view digits) {
    for (char c : digits)
        if (!is_digit(c)) return CardBrand::Unknown;
    if (digits.empty()) return CardBrand::Unknown;
    if (digits[0] == '4') return CardBrand::Visa;
    int p2 = prefix(digits, 2), p3 = prefix(digits, 3), p4 = prefix(digits, 4);
    if (p2 >= 51 && p2 <= 55) return CardBrand::Mastercard;
    if (p4 >= 2221 && p4 <= 2720) return CardBrand::Mastercard;
    if (p2 == 34 || p2 == 37) return CardBrand::Amex;
    if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return CardBrand::Discover;
    return CardBrand::Unknown;
}

bool card_length_valid(CardBrand brand, std::size_t n) {
    switch (brand) {
        case CardBrand::Visa: return n == 13 || n == 16 || n == 19;
        case CardBrand::Mastercard: return n == 16;
        case CardBrand::Amex: return n == 15;
        case CardBrand::Discover: return n >= 16 && n <= 19;
        case CardBrand::Unknown: break;
    }
    return false;
}

// ---- expiry -------------------------------------------------------------------------------------
std::optional<CardExpiry> parse_card_expiry(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos) return std::nullopt;
    std::string_view m = trim(text.substr(0, slash)), y = trim(text.substr(slash + 1));
    if (m.empty() || m.size() > 2 || (y.size() != 2 && y.size() != 4)) return std::nullopt;
    auto month = all_digits(m), year = all_digits(y);
    if (!month || !year || *month < 1 || *month > 12) return std::nullopt;
    return CardExpiry{*month, y.size() == 2 ? 2000 + *year : *year};
}

bool card_expiry_current(const CardExpiry& e, int now_year, int now_month) {
    return e.year > now_year || (e.year == now_year && e.month >= now_month);
}

std::string format_card_expiry(const CardExpiry& e) {
    std::string out;
    out += static_cast<char>('0' + e.month / 10);
    out += static_cast<char>('0' + e.month % 10);
    out += '/';
    int yy = ((e.year % 100) + 100) % 100;
    out += static_cast<char>('0' + yy / 10);
    out += static_cast<char>('0' + yy % 10);
    return out;
}

YearMonth utc_year_month(int64_t now_ms) {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
    int64_t days = now_ms / 86'400'000;
    if (now_ms % 86'400'000 < 0) --days;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    if (month <= 2) ++y;
    return YearMonth{static_cast<int>(y), static_cast<int>(month)};
}

// ---- cvc ----------------------------------------------------------------------------------------
bool cvc_valid(std::string_view cvc, CardBrand brand) {
    std::size_t want = brand == CardBrand::Amex ? 4 : 3;
    if (cvc.size() != want) return false;
    for (char c : cvc)
        if (!is_digit(c)) return false;
    return true;
}

// ---- check_card ---------------------------------------------------------------------------------
CardCheck check_card(std::string_view number, std::string_view expiry, std::string_view cvc, int64_t now_ms) {
    CardCheck out;
    auto fail = [&](const char* field, const char* message) {
        out.problem = CardProblem{field, message};
        return out;
    };
    auto digits = normalise_card_number(number);
    if (!digits) return fail("card_number", "The card number may only hold digits, spaces and dashes.");
    std::size_t n = digits->size();
    if (n < 13 || n > 19) return fail("card_number", "A card number has 13 to 19 digits.");
    bool luhn = luhn_valid(*digits);
    CardBrand brand = card_brand(*digits);
    std::string last4 = card_last4(*digits);
    // The digits are no longer needed: overwrite them before the string is freed.
    for (char& c : *digits) c = '0';
    if (!luhn) return fail("card_number", "The card number is not valid: a digit is wrong or missing.");
    if (brand == CardBrand::Unknown)
        return fail("card_number", "The card's brand is not accepted (Visa, Mastercard, American Express, Discover).");
    if (!card_length_valid(brand, n)) return fail("card_number", "The card number has the wrong length for its brand.");

    auto exp = parse_card_expiry(expiry);
    if (!exp) return fail("expiry", "The expiry date must be MM/YY or MM/YYYY with a month from 01 to 12.");
    YearMonth now = utc_year_month(now_ms);
    if (!card_expiry_current(*exp, now.year, now.month)) return fail("expiry", "The expiry date is in the past: the card has expired.");

    if (!cvc_valid(cvc, brand))
        return fail("cvc", brand == CardBrand::Amex ? "The security code of an American Express card is 4 digits."
                                                    : "The security code is 3 digits.");
    out.card = CheckedCard{brand, std::move(last4), *exp};
    return out;
}

}  // namespace sb::contact
