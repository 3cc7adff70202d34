// contact/card.h: payment card numbers in free text: the Luhn check, and masking every card
// number in a text before it is stored, sent or logged (docs/security.md, "Card numbers").
//
// What counts as a card number: 13 to 19 ASCII digits that pass the Luhn check, written
// together or as groups separated by single spaces or dashes (in any mix: "4111 1111 1111 1111",
// "4111-1111-1111-1111", "4111111111111111"), anywhere in the text, also right next to letters
// or punctuation ("card:4111111111111111.").
//
// The rules, in order:
//   1. A "chain" is a maximal sequence of digit groups joined by exactly one space or dash.
//      Two spaces, a dot, a slash or any other character end the chain.
//   2. A group (an unbroken run of digits) is never split: a span to mask starts and ends at
//      group boundaries. So an unbroken run of 20 or more digits is never masked, not even in
//      part (it is some other identifier, and cutting 16 digits out of it would both mangle it
//      and hint at a card that is not there).
//   3. Within a chain, from the left: at each group, the longest span of whole groups with 13 to
//      19 digits in all that passes Luhn is masked, and the search goes on after it; if none
//      starts at this group, the search goes on at the next group. So "order 12345 4111 1111
//      1111 1111" masks the card and keeps the order number.
//   4. The masked form replaces the whole span (digits and separators): four bullets (U+2022),
//      a space and the last four digits: "•••• 1111".
//   5. The masked text is searched again (the last four of a masked form can join the groups
//      after it into a new card number; fuzz_customer_text found it) until it holds none. So the
//      result never contains a card number, and masking twice changes nothing.
// Bytes that are not ASCII digits, spaces or dashes are copied unchanged, so invalid UTF-8 goes
// through untouched. Time and memory are linear in the text's length for one pass; a pass per
// card number found at worst.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sb::contact {

// The masked form's prefix: four bullets (U+2022) and a space, followed by the last four digits.
inline constexpr std::string_view kCardMaskPrefix = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 ";

// Whether `digits` (ASCII digits only, at least two) passes the Luhn check. Anything else
// (empty, one digit, a space or another character) is false.
bool luhn_valid(std::string_view digits);

// A card number found in a text: bytes [begin, end) including its separators.
struct CardSpan {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string last_four;
};

// Every card number in `text`, in order, by the rules above.
std::vector<CardSpan> find_card_numbers(std::string_view text);

// `text` with every card number replaced by its masked form ("•••• 1111").
std::string mask_card_numbers(std::string_view text);

// Whether `text` holds a card number (find_card_numbers would find one).
bool contains_card_number(std::string_view text);

}  // namespace sb::contact
