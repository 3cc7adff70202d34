// fuzz_desk_request: any bytes as a desk-protocol request frame, as switchboardd validates
// every incoming one (core/protocol parse_request). A refusal must come with a known error code.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sb::protocol;
    RequestError detail;
    auto r = parse_request(std::string_view(reinterpret_cast<const char*>(data), size), &detail);
    if (r) return 0;
    const auto& codes = error_codes();
    if (std::find(codes.begin(), codes.end(), r.error().code) == codes.end()) std::abort();
    (void)reply_error(detail.id, r.error()).dump();
    return 0;
}
