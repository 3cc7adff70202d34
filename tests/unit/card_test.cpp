// Card numbers in free text: the Luhn check and masking (core/contact/card.h).
#include <doctest/doctest.h>

#include <string>

#include "contact/card.h"
#include "desk_harness.h"

using namespace sb::contact;

namespace {
// The masked form of a card whose last four digits are `last4`.
std::string masked(const std::string& last4) { return std::string(kCardMaskPrefix) + last4; }
}  // namespace

TEST_CASE("luhn_valid") {
    CHECK(luhn_valid("79927398713"));
    CHECK_FALSE(luhn_valid("79927398710"));
    CHECK(luhn_valid("4111111111111111"));
    CHECK_FALSE(luhn_valid("4111111111111112"));
    CHECK(luhn_valid("378282246310005"));   // 15 digits (odd length)
    CHECK(luhn_valid("4222222222222"));     // 13
    CHECK(luhn_valid("5555555555554444"));
    CHECK(luhn_valid("6011111111111117"));
    CHECK(luhn_valid("4111111111111111110"));  // 19
    CHECK(luhn_valid("00"));
    CHECK_FALSE(luhn_valid(""));
    CHECK_FALSE(luhn_valid("0"));
    CHECK_FALSE(luhn_valid("4111 1111 1111 1111"));  // separators are not digits
    CHECK_FALSE(luhn_valid("4111-1111-1111-1111"));
    CHECK_FALSE(luhn_valid("411111111111111a"));
}

TEST_CASE("card numbers are masked to their last four, with or without separators") {
    CHECK(mask_card_numbers("4111111111111111") == masked("1111"));
    CHECK(mask_card_numbers("4111 1111 1111 1111") == masked("1111"));
    CHECK(mask_card_numbers("4111-1111-1111-1111") == masked("1111"));
    CHECK(mask_card_numbers("4111-1111 1111-1111") == masked("1111"));  // mixed separators
    CHECK(mask_card_numbers("5555 5555 5555 4444") == masked("4444"));
    CHECK(mask_card_numbers("3782 822463 10005") == masked("0005"));    // Amex grouping
    CHECK(mask_card_numbers("6011111111111117") == masked("1117"));
    CHECK(mask_card_numbers("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1") == masked("1111"));  // one digit a group
    CHECK(mask_card_numbers("my card is 4111 1111 1111 1111, thanks") == "my card is " + masked("1111") + ", thanks");
    CHECK(mask_card_numbers("card4111111111111111end") == "card" + masked("1111") + "end");
    CHECK(mask_card_numbers("(4111111111111111).") == "(" + masked("1111") + ").");
    CHECK(mask_card_numbers("#4111-1111-1111-1111#") == "#" + masked("1111") + "#");
    CHECK(mask_card_numbers("-4111111111111111-") == "-" + masked("1111") + "-");  // dashes outside stay
    CHECK(mask_card_numbers("4111 1111 1111 1111 ") == masked("1111") + " ");
    CHECK(mask_card_numbers("card:\n4111111111111111\n") == "card:\n" + masked("1111") + "\n");
}

TEST_CASE("several card numbers in one text") {
    CHECK(mask_card_numbers("a 4111111111111111 b 5555-5555-5555-4444 c 378282246310005") ==
          "a " + masked("1111") + " b " + masked("4444") + " c " + masked("0005"));
    // Two cards in one chain (a single space between them): both, each to its own mask.
    CHECK(mask_card_numbers("4111111111111111 5555555555554444") == masked("1111") + " " + masked("4444"));
    CHECK(find_card_numbers("x 4111111111111111 y 6011111111111117").size() == 2);
}

TEST_CASE("length boundaries: 12 and 20+ are not card numbers, 13 and 19 are") {
    // Each of these is Luhn-valid at its own length.
    CHECK(luhn_valid("411111111117"));
    CHECK(mask_card_numbers("411111111117") == "411111111117");                   // 12
    CHECK(mask_card_numbers("4111-1111-1117") == "4111-1111-1117");               // 12 in groups
    CHECK(mask_card_numbers("4111111111119") == masked("1119"));                  // 13
    CHECK(mask_card_numbers("4222222222222") == masked("2222"));                  // 13
    CHECK(mask_card_numbers("4111111111111111110") == masked("1110"));            // 19
    CHECK(mask_card_numbers("4111 1111 1111 1111 110") == masked("1110"));        // 19 in groups
    CHECK(luhn_valid("41111111111111111115"));
    CHECK(mask_card_numbers("41111111111111111115") == "41111111111111111115");   // 20: untouched...
    // ...even though its first 16 digits are a valid card: a run of digits is never split.
    CHECK(luhn_valid("4111111111111111"));
    CHECK(mask_card_numbers("41111111111111111110000") == "41111111111111111110000");
    CHECK(mask_card_numbers("ref 411111111111111111100 ok") == "ref 411111111111111111100 ok");
    // In groups, whole groups may be masked: 16 of the 20 digits form a card, the last group stays.
    CHECK(mask_card_numbers("4111 1111 1111 1111 1115") == masked("1111") + " 1115");
}

TEST_CASE("numbers that are not cards are left alone") {
    for (const char* text : {
             "4111111111111112",                // 16 digits, Luhn fails
             "4111 1111 1111 1112",
             "order 123456789012",              // 12 digits
             "call me on +1 555-010-0001",      // phone numbers
             "+44 20 7946 0958",
             "0044 20 7946 0958",
             "account AC-20417, ticket 2024-11-22",
             "4111.1111.1111.1111",             // dots do not join groups
             "4111/1111/1111/1111",
             "4111  1111  1111  1111",          // two spaces do not join groups
             "4111--1111--1111--1111",
             "4111 - 1111 - 1111 - 1111",
             "4111\t1111\t1111\t1111",
             "4111_1111_1111_1111",
             "",
             "no digits at all",
             "1234",
             "\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x91",  // fullwidth digits are not ASCII digits
         }) {
        CHECK_MESSAGE(mask_card_numbers(text) == text, text);
        CHECK_FALSE(contains_card_number(text));
    }
}

TEST_CASE("a card after another number in the same chain is still found") {
    CHECK(mask_card_numbers("order 12345 4111 1111 1111 1111") == "order 12345 " + masked("1111"));
    CHECK(mask_card_numbers("12345678901234567890 4111111111111111") == "12345678901234567890 " + masked("1111"));
    CHECK(mask_card_numbers("4111111111111111 12345") == masked("1111") + " 12345");
    CHECK(mask_card_numbers("1-4111-1111-1111-1111") == "1-" + masked("1111"));
}

TEST_CASE("find_card_numbers reports spans and last four digits") {
    std::string text = "pay 4111-1111-1111-1234? no: 4111111111111111";
    REQUIRE(luhn_valid("4111111111111234") == false);
    auto spans = find_card_numbers(text);
    REQUIRE(spans.size() == 1);
    CHECK(text.substr(spans[0].begin, spans[0].end - spans[0].begin) == "4111111111111111");
    CHECK(spans[0].last_four == "1111");
    auto two = find_card_numbers("5555-5555-5555-4444");
    REQUIRE(two.size() == 1);
    CHECK(two[0].begin == 0);
    CHECK(two[0].end == 19);
    CHECK(two[0].last_four == "4444");
}

TEST_CASE("masking twice changes nothing more") {
    for (const char* text : {"4111 1111 1111 1111", "a 4111111111111111 b 5555-5555-5555-4444",
                             "4111 1111 1111 1111 1115", "nothing here 123"}) {
        std::string once = mask_card_numbers(text);
        CHECK(mask_card_numbers(once) == once);
        CHECK_FALSE(contains_card_number(once));
    }
}

TEST_CASE("a masked form's last four never joins what follows into a new card number (fuzz regression)") {
    // tests/fuzz/regressions/customer_text: one pass left "•••• 2242-4 82242-424244", whose
    // 2242 4 82242 424244 is itself a Luhn-valid 16-digit number.
    const std::string text = "1 1113782 82242-4 82242-424244";
    const std::string once = mask_card_numbers(text);
    CHECK_FALSE(contains_card_number(once));
    CHECK(mask_card_numbers(once) == once);
    CHECK(once == std::string(kCardMaskPrefix) + std::string(kCardMaskPrefix) + "4244");
}

TEST_CASE("invalid UTF-8 is copied unchanged around the masked card") {
    std::string text = "\xFF\xFE card \xC3 4111 1111 1111 1111 \xE2\x82 end \x80";
    std::string want = "\xFF\xFE card \xC3 " + masked("1111") + " \xE2\x82 end \x80";
    CHECK(mask_card_numbers(text) == want);
    std::string bytes("\0\x01\x02 4111111111111111\0", 21);
    CHECK(mask_card_numbers(bytes) == std::string("\0\x01\x02 ", 4) + masked("1111") + std::string("\0", 1));
    std::string no_card = "\xC0\xAF 4111111111111112 \xF5\xFF";
    CHECK(mask_card_numbers(no_card) == no_card);
}

TEST_CASE("huge inputs are handled in linear time") {
    // 4 MB of single digits joined by single spaces: one enormous chain of groups.
    std::string chain;
    chain.reserve(4'000'000);
    while (chain.size() < 4'000'000) chain += "7 ";
    CHECK(mask_card_numbers(chain) == chain);  // 7777777777777 (13) fails Luhn, and so on
    // 4 MB of digits in one run: never a card (longer than 19).
    std::string run(4'000'000, '4');
    CHECK(mask_card_numbers(run) == run);
    // Many cards: every one is masked.
    std::string many;
    for (int i = 0; i < 100'000; ++i) many += "4111-1111-1111-1111 ";
    std::string want;
    for (int i = 0; i < 100'000; ++i) want += masked("1111") + " ";
    CHECK(mask_card_numbers(many) == want);
    CHECK(find_card_numbers(many).size() == 100'000);
}

TEST_CASE("the desk masks card numbers in drafts before keeping and persisting them") {
    sb::test::DeskHarness h;
    h.login();
    h.intent(sb::desk::SaveDraftIntent{"c1", std::string("card 4111 1111 1111 1111 ok"), std::nullopt});
    CHECK(h.s().drafts.at("c1").text == "card " + masked("1111") + " ok");
    const sb::desk::Persist* p = h.find<sb::desk::Persist>();
    REQUIRE(p);
    REQUIRE(p->value);
    CHECK(p->value->find("4111") == std::string::npos);
    h.intent(sb::desk::SaveDraftIntent{"c2", std::nullopt,
                                       sb::desk::WrapUpDraft{"resolved", "paid 5555-5555-5555-4444", {"4012888888881881"}}});
    const auto& w = *h.s().drafts.at("c2").wrap_up;
    CHECK(w.notes == "paid " + masked("4444"));
    CHECK(w.tags == std::vector<std::string>{masked("1881")});
    p = h.find<sb::desk::Persist>();
    REQUIRE(p);
    REQUIRE(p->value);
    CHECK(p->value->find("5555") == std::string::npos);
    CHECK(p->value->find("4012888888881881") == std::string::npos);
}
