// fuzz_customer_text: any bytes as what a customer writes (a chat or SMS message) or says and
// the agent types (a verification answer, a card read out over the phone). The rules that
// touch it must hold for every input:
//   - card masking (core/contact/card.h): the masked text holds no card number, masking is
//     idempotent, and a text without a card number is left as it was;
//   - SMS segments (core/contact/sms.h): a count that fits the units;
//   - verification answers (core/verify/normalise.h): normalising twice changes nothing;
//   - the payment card checks (core/contact/payment_card.h): a problem's message never quotes
//     the digits typed; an accepted card is Luhn-valid with its own last four.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "contact/card.h"
#include "contact/payment_card.h"
#include "contact/phone.h"
#include "contact/sms.h"
#include "verify/normalise.h"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sb;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const std::string masked = contact::mask_card_numbers(text);
    check(!contact::contains_card_number(masked));
    check(contact::mask_card_numbers(masked) == masked);
    if (!contact::contains_card_number(text)) check(masked == text);

    const contact::SmsSegments s = contact::sms_segments(text);
    check(s.segments >= 0 && s.units >= 0 && s.characters >= 0);
    check(size == 0 ? s.segments == 0 : s.segments >= 1);
    if (s.segments > 0) check(s.units <= s.segments * s.per_segment);

    for (auto step : {verify::StepKind::Dob, verify::StepKind::Postcode, verify::StepKind::AccountLast4,
                      verify::StepKind::SecurityPhrase, verify::StepKind::SmsCode}) {
        auto once = verify::normalise_answer(step, text);
        if (!once) continue;
        auto twice = verify::normalise_answer(step, once.value());
        check(twice && twice.value() == once.value());
    }
    (void)contact::normalize_e164(text);

    // The same bytes as a card read out: number / expiry / cvc split at the first two '|'.
    const size_t a = text.find('|'), b = a == std::string_view::npos ? a : text.find('|', a + 1);
    const std::string_view number = text.substr(0, a);
    const std::string_view expiry = a == std::string_view::npos ? std::string_view() : text.substr(a + 1, b - a - 1);
    const std::string_view cvc = b == std::string_view::npos ? std::string_view() : text.substr(b + 1);
    const auto result = contact::check_card(number, expiry, cvc, 1'700'000'000'000);
    const auto digits = contact::normalise_card_number(number);
    if (result.ok()) {
        check(digits && contact::luhn_valid(*digits) && digits->size() >= 13 && digits->size() <= 19);
        check(result.card.last4 == contact::card_last4(*digits));
        check(contact::card_expiry_current(result.card.expiry, 2023, 11));
    } else if (digits && digits->size() >= 6) {
        check(result.problem->message.find(*digits) == std::string::npos);
    }
    return 0;
}
