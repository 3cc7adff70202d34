// sip/address.h: name-addr / addr-spec values (RFC 3261 20.10, 20.20, 20.39 and 25.1): From,
// To, Contact, Route, Record-Route, Reply-To, Refer-To, Referred-By, P-Asserted-Identity.
//
//   "Quoted \"name\"" <sip:a@example.com;lr> ;tag=x     display name, URI in <>, parameters
//   token1 token2 <sip:a@example.com>                   unquoted display name of tokens
//   sip:a@example.com;tag=x                             addr-spec: parameters after it belong
//                                                       to the header, not to the URI
//   *                                                   Contact in a REGISTER removing all
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/uri.h"
#include "util/result.h"

namespace sb::sip {

class Message;

struct NameAddr {
    std::string_view display_name;  // raw; a quoted one keeps its quotes; empty when none
    bool bracketed = false;         // the URI was written in <>
    bool star = false;              // Contact: *
    Uri uri;
    Params params;                  // header parameters (ParamStyle::header)

    // The display name as text: quotes removed and quoted-pairs resolved.
    std::string display_name_text() const;
    std::string_view tag() const;   // empty when there is no tag parameter
};

// One value. `what` names the header in errors ("unterminated quoted string in To display
// name"). The views point into `value`. Code sip_bad_header on error.
Result<NameAddr> parse_name_addr(std::string_view value, std::string_view what);
// A comma-separated list (Contact, Route, Record-Route...). `allow_star` for Contact.
Result<std::vector<NameAddr>> parse_name_addr_list(std::string_view value, std::string_view what,
                                                   bool allow_star = false);
// Checks a list without building it (what the message parser does for every Contact).
Status check_name_addr_list(std::string_view value, std::string_view what, bool allow_star = false);

// The Contact parameters a registrar and a UA read. Both are errors when present but
// malformed: expires must be delta-seconds (0 to 2**32-1), q a qvalue (0 to 1, three decimals),
// returned in thousandths (q=0.33 -> 330).
Result<std::optional<uint32_t>> contact_expires(const NameAddr& contact);
Result<std::optional<int>> contact_q(const NameAddr& contact);

// Readers over a parsed message (which validated these headers' syntax already). The views
// point into the message.
Result<NameAddr> read_from(const Message& m);
Result<NameAddr> read_to(const Message& m);
Result<std::vector<NameAddr>> read_contacts(const Message& m);       // every Contact header
Result<std::vector<NameAddr>> read_route(const Message& m);          // every Route header
Result<std::vector<NameAddr>> read_record_route(const Message& m);   // every Record-Route

}  // namespace sb::sip
