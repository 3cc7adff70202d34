// Phone numbers to E.164 and SMS segment counting.
#include <doctest/doctest.h>

#include <string>

#include "contact/phone.h"
#include "contact/sms.h"

using namespace sb::contact;

TEST_CASE("phone numbers normalise to E.164") {
    CHECK(normalize_e164("+1 (555) 010-0001").value() == "+15550100001");
    CHECK(normalize_e164("555.010.0001").value() == "+15550100001");
    CHECK(normalize_e164("1-555-010-0001").value() == "+15550100001");
    CHECK(normalize_e164("+44 20 7946 0958").value() == "+442079460958");
    CHECK(normalize_e164("0044 20 7946 0958").value() == "+442079460958");
    for (const char* bad : {"", "abc", "+0 555 010 0001", "555-0100", "+1234567890123456", "555 010 0001 ext 4", "++15550100001", "7001"}) {
        auto r = normalize_e164(bad);
        CHECK_MESSAGE(!r.ok(), bad);
        if (!r.ok()) CHECK(r.error().code == "invalid_phone");
    }
}

TEST_CASE("SMS segments: GSM-7 and UCS-2") {
    CHECK(sms_segments("").segments == 0);
    auto one = sms_segments(std::string(160, 'a'));
    CHECK(one.segments == 1);
    CHECK_FALSE(one.ucs2);
    CHECK(sms_segments(std::string(161, 'a')).segments == 2);
    CHECK(sms_segments(std::string(306, 'a')).segments == 2);
    CHECK(sms_segments(std::string(307, 'a')).segments == 3);

    // Extension characters take two septets: 80 euro signs fill one SMS, 81 need two.
    std::string euros;
    for (int i = 0; i < 80; ++i) euros += "€";
    auto e = sms_segments(euros);
    CHECK_FALSE(e.ucs2);
    CHECK(e.units == 160);
    CHECK(e.characters == 80);
    CHECK(e.segments == 1);
    CHECK(sms_segments(euros + "€").segments == 2);

    // One character outside GSM-7 makes the whole text UCS-2.
    std::string text(69, 'a');
    auto u = sms_segments(text + "ł");
    CHECK(u.ucs2);
    CHECK(u.segments == 1);
    CHECK(u.per_segment == 70);
    CHECK(sms_segments(text + "łł").segments == 2);
    CHECK(sms_segments(std::string(134, 'a') + "ł").segments == 3);  // 135 units / 67
    auto emoji = sms_segments("hi 😀");
    CHECK(emoji.ucs2);
    CHECK(emoji.characters == 4);
    CHECK(emoji.units == 5);  // a surrogate pair
    CHECK_FALSE(sms_segments("Grüße aus Köln").ucs2);  // ü, ß, ö are all in the GSM-7 table
    CHECK_FALSE(sms_segments("Hallo Köln, ñ à é").ucs2);
    CHECK(sms_segments("ç").ucs2);  // lower-case ç is not (only Ç is)
    CHECK(sms_segments("\xff\xfe").ucs2);  // invalid UTF-8 counts as UCS-2
}
