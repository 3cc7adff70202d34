// fuzz_sdp: any bytes as a session description. What parses serializes and parses again with
// the same sections; the offer/answer edits (direction, version) keep it parseable.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/sdp.h"

using namespace sb::sip::sdp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto s = parse(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!s) return 0;
    Session session = s.value();
    for (size_t i = 0; i < session.media.size(); ++i) {
        (void)is_hold(session, i);
        (void)telephone_event_payload(session.media[i]);
        (void)rtpmaps(session.media[i]);
        (void)session.media[i].port();
        (void)session.media[i].formats();
    }
    (void)candidate_count(session);
    auto again = parse(serialize(session));
    if (!again || again.value().media.size() != session.media.size()) std::abort();
    if (!session.media.empty()) set_direction(session, session.media.size() - 1, Direction::sendonly);
    (void)bump_version(session);
    auto edited = parse(serialize(session));
    if (!edited) std::abort();
    if (!session.media.empty() && direction(edited.value(), session.media.size() - 1) != Direction::sendonly) std::abort();
    return 0;
}
