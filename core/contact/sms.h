// contact/sms.h: how many SMS a text takes. GSM-7 (3GPP TS 23.038 default alphabet, with the
// extension table's characters counting twice) allows 160 septets in one SMS and 153 per part
// when split; any other character makes the whole text UCS-2: 70 UTF-16 units, 67 per part.
#pragma once

#include <string_view>

namespace sb::contact {

struct SmsSegments {
    int segments = 0;     // 0 for an empty text
    bool ucs2 = false;    // true when a character outside GSM-7 forces UCS-2
    int characters = 0;   // code points, as the agent counts them
    int units = 0;        // septets (GSM-7) or UTF-16 units (UCS-2)
    int per_segment = 0;  // the capacity of each segment at this length (160/153, 70/67)
};

// `utf8` should be valid UTF-8; an invalid byte counts as one UCS-2 character.
SmsSegments sms_segments(std::string_view utf8);

}  // namespace sb::contact
