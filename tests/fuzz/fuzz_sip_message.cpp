// fuzz_sip_message: any bytes as one SIP message (datagram/WebSocket framing, and again as the
// start of a TCP stream). Whatever parses must be readable by every typed reader, and its
// serialized form must parse again to the same start line and header count.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../common/sip_read_all.h"
#include "sip/message.h"
#include "sip/sdp.h"

using namespace sb::sip;

namespace {

void read_everything(const Message& m) {
    sip_test::read_everything(m);
    (void)sdp::parse(m.body());
}

void check_round_trip(const Message& m) {
    std::string wire = m.serialize();
    auto again = parse_message(wire);
    if (!again) {
        // The serializer wrote something the parser refuses: a bug on one side or the other.
        std::abort();
    }
    const Message& b = again.value();
    // The serializer writes exactly one Content-Length (recomputed); every other header stays.
    auto others = [](const Message& x) { return x.header_count() - x.count(HeaderId::content_length); };
    if (b.is_request() != m.is_request() || others(b) != others(m) || b.count(HeaderId::content_length) != 1 ||
        b.body() != m.body())
        std::abort();
    if (m.is_request() && (b.method() != m.method() || b.uri() != m.uri())) std::abort();
    if (m.is_response() && b.status() != m.status()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    for (Framing framing : {Framing::message, Framing::stream}) {
        ParseOptions o;
        o.framing = framing;
        auto m = parse_message(bytes, o);
        if (!m) continue;
        read_everything(m.value());
        if (!m.value().content_length_conflict()) check_round_trip(m.value());
    }
    return 0;
}
