// contact/phone.h: telephone numbers as E.164 ("+15550100001"), from what people and SMS
// gateways write ("(555) 010-0001", "+44 20 7946 0958", "0044 20 7946 0958").
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace sb::contact {

// Strips spaces, dots, dashes, slashes and parentheses; "00" means "+"; a national number of
// the North American plan (10 digits, or 11 starting with 1) gets the default country code.
// Error `invalid_phone` otherwise (letters, too short or long, a leading 0 after +).
Result<std::string> normalize_e164(std::string_view input, std::string_view default_country = "1");

}  // namespace sb::contact
