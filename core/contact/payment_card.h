// contact/payment_card.h: checking a payment card an agent is about to charge (docs/payments.md):
// the brand from the number's prefix, the expiry date, the CVC's length for the brand, and one
// check_card() that says which field is wrong. Pure (no clock: the time comes in as ms since the
// Unix epoch); the server checks every card with it, the desk checks before it sends.
//
// The Luhn check itself is card.h's (luhn_valid). Nothing here keeps, logs or returns a card
// number except normalise_card_number's digits, which the caller must wipe when done; messages
// never quote what was typed.
//
// Sections: numbers · brands · expiry · cvc · check_card
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::contact {

// ---- numbers ------------------------------------------------------------------------------------
// The digits of a card number as typed: ASCII digits, with spaces and dashes allowed anywhere
// between them (leading/trailing spaces too). nullopt if anything else is in it or no digit is.
std::optional<std::string> normalise_card_number(std::string_view number);

// The last four digits of a digits-only number (the whole of it if shorter).
std::string card_last4(std::string_view digits);

// ---- brands -------------------------------------------------------------------------------------
enum class CardBrand { Unknown, Visa, Mastercard, Amex, Discover };

// "visa", "mastercard", "amex", "discover", "unknown".
std::string_view to_string(CardBrand brand);

// From the prefix of a digits-only number: Visa 4; Mastercard 51-55 and 2221-2720; Amex 34, 37;
// Discover 6011, 65, 644-649. Anything else is Unknown.
CardBrand card_brand(std::string_view digits);

// Whether `length` digits is a length the brand issues: Visa 13, 16, 19; Mastercard 16;
// Amex 15; Discover 16 to 19. Unknown: never.
bool card_length_valid(CardBrand brand, std::size_t length);

// ---- expiry -------------------------------------------------------------------------------------
struct CardExpiry {
    int month = 0;  // 1..12
    int year = 0;   // four digits
};

// "MM/YY" or "MM/YYYY" (the month may be one digit; spaces allowed around each part and the
// slash). Two-digit years are 20YY. nullopt when it is not that, or the month is not 1..12.
std::optional<CardExpiry> parse_card_expiry(std::string_view text);

// A card is valid through the end of its expiry month.
bool card_expiry_current(const CardExpiry& expiry, int now_year, int now_month);

// "MM/YY".
std::string format_card_expiry(const CardExpiry& expiry);

// The UTC year and month (1..12) of a time in ms since the Unix epoch.
struct YearMonth {
    int year = 1970;
    int month = 1;
};
YearMonth utc_year_month(int64_t now_ms);

// ---- cvc ----------------------------------------------------------------------------------------
// Digits only; 4 for Amex, 3 for every other brand.
bool cvc_valid(std::string_view cvc, CardBrand brand);

// ---- check_card ---------------------------------------------------------------------------------
struct CardProblem {
    std::string field;    // "card_number" | "expiry" | "cvc"
    std::string message;  // plain, for the agent; never quotes the input
};

struct CheckedCard {
    CardBrand brand = CardBrand::Unknown;
    std::string last4;
    CardExpiry expiry;
};

// The card as typed, checked in order: the number (digits, 13 to 19 of them, Luhn, a known brand
// and a length it issues), the expiry (readable, not in the past at now_ms, UTC), the CVC (digits,
// the brand's length). The first problem found, or the card's brand, last four and expiry.
struct CardCheck {
    std::optional<CardProblem> problem;
    CheckedCard card;  // set when problem is empty
    bool ok() const { return !problem; }
};
CardCheck check_card(std::string_view number, std::string_view expiry, std::string_view cvc, int64_t now_ms);

}  // namespace sb::contact
