// contact/card.cpp: the Luhn check and card number masking (see card.h for the rules).
#include "contact/card.h"

namespace sb::contact {

namespace {

constexpr std::size_t kMinDigits = 13;
constexpr std::size_t kMaxDigits = 19;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) { return c == ' ' || c == '-'; }

// A group: an unbroken run of digits, bytes [begin, end).
struct Group {
    std::size_t begin;
    std::size_t end;
    std::size_t size() const { return end - begin; }
};

// Luhn over digits appended one at a time from the left. Which digits are doubled depends on
// the final length (every second digit counting from the right), so both possibilities are
// kept: `even` doubles the digits at even positions from the left, `odd` those at odd ones.
class RunningLuhn {
public:
    void push(int d) {
        int doubled = d * 2 > 9 ? d * 2 - 9 : d * 2;
        if (count_ % 2 == 0) {
            even_ += doubled;
            odd_ += d;
        } else {
            even_ += d;
            odd_ += doubled;
        }
        ++count_;
    }
    // With n digits, the rightmost (position n-1) is not doubled, so doubled positions have
    // the other parity: odd positions when n is odd, even positions when n is even.
    bool valid() const { return count_ >= 2 && (count_ % 2 == 1 ? odd_ : even_) % 10 == 0; }
    std::size_t count() const { return count_; }

private:
    std::size_t count_ = 0;
    int even_ = 0;
    int odd_ = 0;
};

// Finds the card numbers of one chain of groups (rules 2 and 3 of card.h).
void scan_chain(std::string_view text, const std::vector<Group>& groups, std::vector<CardSpan>& out) {
    std::size_t i = 0;
    while (i < groups.size()) {
        RunningLuhn luhn;
        std::size_t best = groups.size();  // none
        for (std::size_t j = i; j < groups.size(); ++j) {
            if (luhn.count() + groups[j].size() > kMaxDigits) break;
            for (std::size_t k = groups[j].begin; k < groups[j].end; ++k) luhn.push(text[k] - '0');
            if (luhn.count() >= kMinDigits && luhn.valid()) best = j;
        }
        if (best == groups.size()) {
            ++i;
            continue;
        }
        CardSpan span;
        span.begin = groups[i].begin;
        span.end = groups[best].end;
        // The last four digits of the span: walk back over separators.
        std::string last;
        for (std::size_t k = span.end; k > span.begin && last.size() < 4; --k)
            if (is_digit(text[k - 1])) last.insert(last.begin(), text[k - 1]);
        span.last_four = std::move(last);
        out.push_back(std::move(span));
        i = best + 1;
    }
}

}  // namespace

bool luhn_valid(std::string_view digits) {
    RunningLuhn luhn;
    for (char c : digits) {
        if (!is_digit(c)) return false;
        luhn.push(c - '0');
    }
    return luhn.valid();
}

std::vector<CardSpan> find_card_numbers(std::string_view text) {
    std::vector<CardSpan> out;
    std::vector<Group> chain;
    std::size_t i = 0, n = text.size();
    while (i < n) {
        if (!is_digit(text[i])) {
            ++i;
            continue;
        }
        // A chain: a group, then (one separator, a group) as long as they come.
        chain.clear();
        for (;;) {
            std::size_t begin = i;
            while (i < n && is_digit(text[i])) ++i;
            chain.push_back(Group{begin, i});
            if (i + 1 < n && is_separator(text[i]) && is_digit(text[i + 1])) {
                ++i;
                continue;
            }
            break;
        }
        scan_chain(text, chain, out);
    }
    return out;
}

namespace {
std::string mask_once(std::string_view text, const std::vector<CardSpan>& spans) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    for (const CardSpan& s : spans) {
        out.append(text.substr(at, s.begin - at));
        out.append(kCardMaskPrefix);
        out.append(s.last_four);
        at = s.end;
    }
    out.append(text.substr(at));
    return out;
}
}  // namespace

std::string mask_card_numbers(std::string_view text) {
    std::vector<CardSpan> spans = find_card_numbers(text);
    if (spans.empty()) return std::string(text);
    // Rule 5: a masked form's last four can join the groups after it into a new card number
    // ("1 1113782 82242-4 82242-424244" -> "•••• 2242-4 82242-424244"); mask again until none
    // is left. Each pass takes at least nine digits away, so this ends.
    std::string out = mask_once(text, spans);
    while (!(spans = find_card_numbers(out)).empty()) out = mask_once(out, spans);
    return out;
}

bool contains_card_number(std::string_view text) { return !find_card_numbers(text).empty(); }

}  // namespace sb::contact
