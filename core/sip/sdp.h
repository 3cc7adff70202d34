// sip/sdp.h: session descriptions (RFC 4566) as the user agent needs them for offer/answer
// (RFC 3264): parse and serialize without losing anything, read and set the media direction
// (hold and resume), spot the old c=0.0.0.0 hold, find the codecs and the telephone-event
// payload (RFC 4733 DTMF), count ICE candidates, and bump the origin's version for a re-offer.
//
// The browser writes and reads the SDP for its own media (web/media.js); the core reads it to
// know what the far end did (is the call held? can DTMF go in-band?) and edits a few lines of
// it. Lines are kept in order as written, so an SDP the core did not touch is passed on as it
// came (line ends become CRLF).
//
// Sections: model · parse and serialize · direction and hold · codecs and DTMF · ICE and origin
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace sb::sip::sdp {

// ---- model --------------------------------------------------------------------------------------
struct Line {
    char type = 0;      // 'v', 'o', 's', 'c', 't', 'm', 'a', ...
    std::string value;  // everything after "x="
};

// One m= section: lines[0] is the m= line itself.
struct Media {
    std::vector<Line> lines;

    std::string_view kind() const;   // "audio", "video", "application", ...
    int port() const;                // 0: the stream is rejected or disabled
    std::string_view proto() const;  // "RTP/AVP", "UDP/TLS/RTP/SAVPF", ...
    std::vector<std::string_view> formats() const;  // payload types as written
};

struct Session {
    std::vector<Line> lines;  // session level, from v= up to the first m=
    std::vector<Media> media;
};

// Error codes (Error::code); Error::message names the line and what is wrong with it.
inline constexpr std::string_view kBadSdp = "sdp_bad";
inline constexpr std::string_view kSdpTooLarge = "sdp_too_large";

// ---- parse and serialize -------------------------------------------------------------------------
// Accepts CRLF or bare LF line ends. Requires v=0 first, then o= (six fields), s= and t=; each
// m= needs a media type, a port (0-65535, optionally /count), a protocol and at least one
// format; each c= needs three fields. Attribute values and unknown line types are kept as they
// are. Refuses NUL bytes, more than 64 KiB or more than 2,000 lines.
Result<Session> parse(std::string_view text);
std::string serialize(const Session& s);

// Attribute helpers, for "a=name" or "a=name:value" lines of one level.
std::optional<std::string_view> attribute(const std::vector<Line>& lines, std::string_view name);
std::vector<std::string_view> attributes(const std::vector<Line>& lines, std::string_view name);

// ---- direction and hold (RFC 3264 5.1, 6.1, 8.4) ---------------------------------------------------
enum class Direction { sendrecv, sendonly, recvonly, inactive };
std::string_view to_string(Direction d);
// The media section's direction attribute, else the session's, else sendrecv.
Direction direction(const Session& s, size_t media_index);
// Sets the direction on the media section (replacing any there) and drops session-level ones,
// whose meaning would otherwise change for the other sections.
void set_direction(Session& s, size_t media_index, Direction d);
// What an answerer sets when offered `offered` and willing to do `wanted` (RFC 3264 6.1):
// sendonly is answered recvonly (or inactive), recvonly with sendonly (or inactive).
Direction answer_direction(Direction offered, Direction wanted);
// The description holds this stream: its writer will not receive (sendonly or inactive), or it
// uses the RFC 2543 form, a connection address of 0.0.0.0 without ICE (browsers write 0.0.0.0
// in every offer and let ICE find the address). Asked of the far end's offer, it says whether
// they put us on hold.
bool is_hold(const Session& s, size_t media_index);
// The c= address that applies to the media section (its own, else the session's), if any.
std::optional<std::string_view> connection_address(const Session& s, size_t media_index);

// ---- codecs and DTMF -------------------------------------------------------------------------------
struct Rtpmap {
    int payload = -1;
    std::string encoding;  // as written ("opus", "PCMU", "telephone-event")
    int clock_rate = 0;
    int channels = 1;
};
std::vector<Rtpmap> rtpmaps(const Media& m);
// The payload type of telephone-event at 8000 Hz (or any rate when 8000 is absent) that the
// m= line lists, if the far end accepts RFC 4733 events.
std::optional<int> telephone_event_payload(const Media& m);

// ---- ICE and origin --------------------------------------------------------------------------------
size_t candidate_count(const Session& s);  // a=candidate lines in every section
// Increments the o= line's sess-version, as every new offer in a session must (RFC 3264 8).
Status bump_version(Session& s);

}  // namespace sb::sip::sdp
