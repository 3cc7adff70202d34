// Payment cards: brand, expiry, CVC and check_card (core/contact/payment_card.h).
#include <doctest/doctest.h>

#include <string>

#include "contact/payment_card.h"

using namespace sb::contact;

namespace {
// 2026-11-22 23:00 UTC and 2027-01-01 00:00 UTC, as ms since the Unix epoch.
constexpr int64_t kNov2026 = 1'795'388'400'000;
constexpr int64_t kJan2027 = 1'798'761'600'000;
}  // namespace

TEST_CASE("payment card: utc_year_month") {
    CHECK(utc_year_month(0).year == 1970);
    CHECK(utc_year_month(0).month == 1);
    CHECK(utc_year_month(kNov2026).year == 2026);
    CHECK(utc_year_month(kNov2026).month == 11);
    CHECK(utc_year_month(kJan2027).year == 2027);
    CHECK(utc_year_month(kJan2027).month == 1);
    CHECK(utc_year_month(kJan2027 - 1).year == 2026);
    CHECK(utc_year_month(kJan2027 - 1).month == 12);
    CHECK(utc_year_month(951'782'400'000).month == 2);  // 2000-02-29
}

TEST_CASE("payment card: normalise and last4") {
    CHECK(normalise_card_number("4111 1111-1111 1111").value() == "4111111111111111");
    CHECK(normalise_card_number(" 4111111111111111 ").value() == "4111111111111111");
    CHECK_FALSE(normalise_card_number("4111.1111.1111.1111"));
    CHECK_FALSE(normalise_card_number("4111x"));
    CHECK_FALSE(normalise_card_number(" - "));
    CHECK_FALSE(normalise_card_number(""));
    CHECK(card_last4("4111111111111234") == "1234");
    CHECK(card_last4("12") == "12");
}

TEST_CASE("payment card: brands") {
    CHECK(card_brand("4111111111111111") == CardBrand::Visa);
    CHECK(card_brand("4222222222222") == CardBrand::Visa);
    CHECK(card_brand("5105105105105100") == CardBrand::Mastercard);
    CHECK(card_brand("5555555555554444") == CardBrand::Mastercard);
    CHECK(card_brand("5000000000000000") == CardBrand::Unknown);  // 50: not Mastercard
    CHECK(card_brand("5600000000000000") == CardBrand::Unknown);  // 56
    CHECK(card_brand("378282246310005") == CardBrand::Amex);
    CHECK(card_brand("341111111111111") == CardBrand::Amex);
    CHECK(card_brand("351111111111111") == CardBrand::Unknown);   // 35 (JCB): not accepted
    CHECK(card_brand("6011111111111117") == CardBrand::Discover);
    CHECK(card_brand("6500000000000002") == CardBrand::Discover);
    CHECK(card_brand("6440000000000000") == CardBrand::Discover);
    CHECK(card_brand("6490000000000000") == CardBrand::Discover);
    CHECK(card_brand("6430000000000000") == CardBrand::Unknown);
    CHECK(card_brand("6012000000000000") == CardBrand::Unknown);
    CHECK(card_brand("") == CardBrand::Unknown);
    CHECK(card_brand("4111 1111") == CardBrand::Unknown);  // digits only
    CHECK(to_string(CardBrand::Visa) == "visa");
    CHECK(to_string(CardBrand::Mastercard) == "mastercard");
    CHECK(to_string(CardBrand::Amex) == "amex");
    CHECK(to_string(CardBrand::Discover) == "discover");
    CHECK(to_string(CardBrand::Unknown) == "unknown");
}

TEST_CASE("payment card: the 2-series Mastercard range 2221-2720") {
    CHECK(card_brand("2220990000000000") == CardBrand::Unknown);
    CHECK(card_brand("2221000000000009") == CardBrand::Mastercard);
    CHECK(card_brand("2300000000000003") == CardBrand::Mastercard);
    CHECK(card_brand("2720990000000000") == CardBrand::Mastercard);
    CHECK(card_brand("2721000000000000") == CardBrand::Unknown);
    CHECK(check_card("2221 0000 0000 0009", "12/30", "123", kNov2026).ok());
    CHECK(check_card("2223003122003222", "12/30", "123", kNov2026).card.brand == CardBrand::Mastercard);
}

TEST_CASE("payment card: lengths per brand") {
    CHECK(card_length_valid(CardBrand::Visa, 13));
    CHECK(card_length_valid(CardBrand::Visa, 16));
    CHECK(card_length_valid(CardBrand::Visa, 19));
    CHECK_FALSE(card_length_valid(CardBrand::Visa, 15));
    CHECK(card_length_valid(CardBrand::Mastercard, 16));
    CHECK_FALSE(card_length_valid(CardBrand::Mastercard, 15));
    CHECK(card_length_valid(CardBrand::Amex, 15));
    CHECK_FALSE(card_length_valid(CardBrand::Amex, 16));
    CHECK(card_length_valid(CardBrand::Discover, 19));
    CHECK_FALSE(card_length_valid(CardBrand::Unknown, 16));
}

TEST_CASE("payment card: expiry parsing") {
    auto e = parse_card_expiry("03/27");
    REQUIRE(e);
    CHECK(e->month == 3);
    CHECK(e->year == 2027);
    e = parse_card_expiry(" 3 / 2031 ");
    REQUIRE(e);
    CHECK(e->month == 3);
    CHECK(e->year == 2031);
    CHECK(format_card_expiry(*e) == "03/31");
    CHECK(format_card_expiry({12, 2030}) == "12/30");
    CHECK_FALSE(parse_card_expiry("13/25"));
    CHECK_FALSE(parse_card_expiry("00/25"));
    CHECK_FALSE(parse_card_expiry("1225"));
    CHECK_FALSE(parse_card_expiry("12/2"));
    CHECK_FALSE(parse_card_expiry("12/202"));
    CHECK_FALSE(parse_card_expiry("12/25/25"));
    CHECK_FALSE(parse_card_expiry("ab/cd"));
    CHECK_FALSE(parse_card_expiry("/25"));
    CHECK_FALSE(parse_card_expiry(""));
}

TEST_CASE("payment card: valid through the end of the expiry month") {
    CHECK(card_expiry_current({11, 2026}, 2026, 11));   // this month: valid
    CHECK_FALSE(card_expiry_current({10, 2026}, 2026, 11));  // last month: not
    CHECK(card_expiry_current({1, 2027}, 2026, 12));
    CHECK_FALSE(card_expiry_current({12, 2025}, 2026, 1));
    CHECK(check_card("4111111111111111", "11/26", "123", kNov2026).ok());
    auto last = check_card("4111111111111111", "10/26", "123", kNov2026);
    REQUIRE(last.problem);
    CHECK(last.problem->field == "expiry");
    CHECK(last.problem->message == "The expiry date is in the past: the card has expired.");
    // December's card on the last ms of December, and not on the first of January.
    CHECK(check_card("4111111111111111", "12/2026", "123", kJan2027 - 1).ok());
    CHECK_FALSE(check_card("4111111111111111", "12/2026", "123", kJan2027).ok());
    auto bad = check_card("4111111111111111", "13/25", "123", kNov2026);
    REQUIRE(bad.problem);
    CHECK(bad.problem->field == "expiry");
}

TEST_CASE("payment card: cvc per brand") {
    CHECK(cvc_valid("123", CardBrand::Visa));
    CHECK(cvc_valid("123", CardBrand::Mastercard));
    CHECK(cvc_valid("123", CardBrand::Discover));
    CHECK_FALSE(cvc_valid("1234", CardBrand::Visa));
    CHECK(cvc_valid("1234", CardBrand::Amex));
    CHECK_FALSE(cvc_valid("123", CardBrand::Amex));
    CHECK_FALSE(cvc_valid("12a", CardBrand::Visa));
    CHECK_FALSE(cvc_valid("", CardBrand::Visa));
    auto amex = check_card("3782 822463 10005", "12/30", "123", kNov2026);
    REQUIRE(amex.problem);
    CHECK(amex.problem->field == "cvc");
    CHECK(check_card("3782 822463 10005", "12/30", "1234", kNov2026).ok());
    auto visa = check_card("4111111111111111", "12/30", "1234", kNov2026);
    REQUIRE(visa.problem);
    CHECK(visa.problem->field == "cvc");
}

TEST_CASE("payment card: check_card on the number: Luhn, length, brand; messages never quote it") {
    auto good = check_card("4111 1111 1111 1111", "12/30", "123", kNov2026);
    REQUIRE(good.ok());
    CHECK(good.card.brand == CardBrand::Visa);
    CHECK(good.card.last4 == "1111");
    CHECK(good.card.expiry.month == 12);
    CHECK(good.card.expiry.year == 2030);
    CHECK(check_card("5555-5555-5555-4444", "01/2031", "999", kNov2026).card.brand == CardBrand::Mastercard);
    CHECK(check_card("6011111111111117", "01/31", "999", kNov2026).card.brand == CardBrand::Discover);

    const char* bad_numbers[] = {
        "4111111111111112",     // Luhn fails (one digit wrong)
        "4111 1111 1111 111",   // 15 digits: Luhn fails
        "411111111111",         // 12 digits
        "41111111111111111111",  // 20 digits
        "4111.1111.1111.1111",  // other characters
        "",                     // nothing
        "3530111333300000",     // JCB: Luhn-valid, brand not accepted
        "4111111111111111110",  // 19 digits: Visa 19 passes
    };
    for (int i = 0; i < 7; ++i) {
        auto r = check_card(bad_numbers[i], "12/30", "123", kNov2026);
        INFO(bad_numbers[i]);
        REQUIRE(r.problem);
        CHECK(r.problem->field == "card_number");
        CHECK(r.problem->message.find("4111") == std::string::npos);
        CHECK(r.problem->message.find("1111") == std::string::npos);
    }
    CHECK(check_card(bad_numbers[7], "12/30", "123", kNov2026).ok());
    // The number is checked first.
    CHECK(check_card("4111111111111112", "13/99", "x", kNov2026).problem->field == "card_number");
}
