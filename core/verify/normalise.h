// verify/normalise.h: answers as the customer says them, in one canonical form each, so that
// the server can compare what the agent typed with what is on file; and the masks the desk
// sees before a contact is verified.
//
//   date of birth   1984-03-07, 07/03/1984, 7.3.84, 7 March 1984, 7th Mar 84, March 7, 1984
//                   -> "1984-03-07". Numeric dates are day first (07/03 is 7 March) unless the
//                   first number cannot be a month... day (13/03) or the second cannot be a
//                   month (03/13: US order). Two-digit years: 00-29 are 20xx, 30-99 are 19xx.
//   postcode        UK or US: case, spaces and dashes ignored ("sw1a 1aa" -> "SW1A1AA"); a US
//                   ZIP+4 compares by its five-digit ZIP ("90210-1234" -> "90210").
//   account_last4   the last four digits of what was said (at least four digits).
//   security phrase letters and digits only, lower case ("Blue  Whale!" -> "bluewhale").
//   sms_code        the six digits, whatever separates them.
//
// Sections: normalisers · masks
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "verify/verification.h"

namespace sb::verify {

// ---- normalisers --------------------------------------------------------------------------------
std::optional<std::string> normalise_date(std::string_view s);      // "YYYY-MM-DD"
std::optional<std::string> normalise_postcode(std::string_view s);  // letters upper case, digits
std::string normalise_phrase(std::string_view s);                   // may be empty
std::string digits_of(std::string_view s);

// The canonical form of an answer to `step`. An answer that cannot be read as one (not a date,
// fewer than four digits...) is bad_message with what was expected: it uses no attempt.
Result<std::string> normalise_answer(StepKind step, std::string_view answer);

// ---- masks ----------------------------------------------------------------------------------------
// "40020417" -> "•••• 0417" (U+2022); fewer than five characters -> "••••".
std::string mask_account_number(std::string_view number);
// "+15550100002" -> "•••• 0002", for "a code was sent to".
std::string mask_phone(std::string_view e164);

}  // namespace sb::verify
