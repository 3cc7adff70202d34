// sip/checks.h: what a parseable message still needs before a transaction or a dialog may use
// it (RFC 3261 8.1.1 and 8.2; RFC 4475 3.3.1, 3.3.8, 3.3.9). The parser accepts these messages
// on purpose, because answering them (400 Bad Request with a reason) is the layer above's job.
#pragma once

#include <vector>

#include "sip/message.h"
#include "util/result.h"

namespace sb::sip {

// Every problem, in a stable order:
// - sip_missing_header: Via, From, To, Call-ID or CSeq absent (one error naming all of them).
//   Max-Forwards is not required: RFC 2543 peers omit it (RFC 4475 3.4.1).
// - sip_duplicate_header: a single-valued header (From, To, Call-ID, CSeq, Max-Forwards,
//   Content-Type, Expires) appears more than once.
// - sip_bad_framing: Content-Length appears more than once with different values.
std::vector<Error> semantic_problems(const Message& m);
// The first of them, or Ok.
Status check_semantics(const Message& m);

}  // namespace sb::sip
