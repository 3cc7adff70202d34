// fuzz_bencode: any bytes as an rtpengine ng reply (server/telephony/bencode.h). Nothing may
// crash or recurse without bound; what decodes encodes to bytes that decode to the same value
// again (encode sorts a dictionary's keys, so the first encoding is the canonical one).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/telephony/bencode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto v = sbd::bencode::decode(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!v) return 0;
    (void)v.value().text("result");
    const std::string once = sbd::bencode::encode(v.value());
    auto again = sbd::bencode::decode(once);
    if (!again) std::abort();
    if (sbd::bencode::encode(again.value()) != once) std::abort();
    return 0;
}
