// sip/sdp.cpp: session descriptions (see sdp.h).
#include "sip/sdp.h"

#include <algorithm>
#include <charconv>

namespace sb::sip::sdp {

namespace {

constexpr size_t kMaxBytes = 64 * 1024;
constexpr size_t kMaxLines = 2000;

// Space-separated fields of a line's value (SDP uses single spaces; runs are tolerated).
std::vector<std::string_view> fields(std::string_view v) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < v.size()) {
        while (i < v.size() && v[i] == ' ') ++i;
        size_t start = i;
        while (i < v.size() && v[i] != ' ') ++i;
        if (i > start) out.push_back(v.substr(start, i - start));
    }
    return out;
}

// A decimal number (o= ids are up to 64-bit: browsers write 19 digits); overflow is refused.
std::optional<unsigned long long> number(std::string_view s) {
    unsigned long long n = 0;
    if (s.empty() || s.size() > 20) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return n;
}

Error bad(size_t line_no, const std::string& what) {
    return make_error(std::string(kBadSdp), "SDP line " + std::to_string(line_no) + ": " + what);
}

Status check_line(const Line& l, size_t n) {
    switch (l.type) {
        case 'v':
            if (l.value != "0") return bad(n, "unsupported version v=" + l.value + " (only v=0)");
            break;
        case 'o': {
            auto f = fields(l.value);
            if (f.size() != 6) return bad(n, "o= needs 6 fields (username sess-id sess-version nettype addrtype address)");
            if (!number(f[1]) || !number(f[2])) return bad(n, "o= session id and version must be numbers");
            break;
        }
        case 'c':
            if (fields(l.value).size() != 3) return bad(n, "c= needs 3 fields (nettype addrtype address)");
            break;
        case 'm': {
            auto f = fields(l.value);
            if (f.size() < 4) return bad(n, "m= needs a media type, a port, a protocol and at least one format");
            std::string_view port = f[1].substr(0, f[1].find('/'));
            auto p = number(port);
            if (!p || *p > 65535) return bad(n, "m= port \"" + std::string(f[1]) + "\" is not 0-65535");
            if (f[1].find('/') != std::string_view::npos && !number(f[1].substr(f[1].find('/') + 1)))
                return bad(n, "m= port count must be a number");
            break;
        }
        case 't': {
            auto f = fields(l.value);
            if (f.size() != 2 || !number(f[0]) || !number(f[1])) return bad(n, "t= needs a start and a stop time");
            break;
        }
        default:
            break;
    }
    return Ok{};
}

void remove_attr(std::vector<Line>& lines, std::string_view name) {
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                               [&](const Line& l) { return l.type == 'a' && l.value == name; }),
                lines.end());
}

std::optional<Direction> direction_in(const std::vector<Line>& lines) {
    for (const Line& l : lines) {
        if (l.type != 'a') continue;
        if (l.value == "sendrecv") return Direction::sendrecv;
        if (l.value == "sendonly") return Direction::sendonly;
        if (l.value == "recvonly") return Direction::recvonly;
        if (l.value == "inactive") return Direction::inactive;
    }
    return std::nullopt;
}

}  // namespace

// ---- model ----------------------------------------------------------------------------------------
std::string_view Media::kind() const {
    auto f = fields(lines[0].value);
    return f.empty() ? std::string_view() : f[0];
}

int Media::port() const {
    auto f = fields(lines[0].value);
    if (f.size() < 2) return 0;
    auto p = number(f[1].substr(0, f[1].find('/')));
    return p ? static_cast<int>(*p) : 0;
}

std::string_view Media::proto() const {
    auto f = fields(lines[0].value);
    return f.size() < 3 ? std::string_view() : f[2];
}

std::vector<std::string_view> Media::formats() const {
    auto f = fields(lines[0].value);
    if (f.size() < 4) return {};
    return std::vector<std::string_view>(f.begin() + 3, f.end());
}

// ---- parse and serialize --------------------------------------------------------------------------
Result<Session> parse(std::string_view text) {
    if (text.size() > kMaxBytes)
        return make_error(std::string(kSdpTooLarge), "SDP of " + std::to_string(text.size()) + " bytes is over the 64 KiB limit");
    if (text.find('\0') != std::string_view::npos) return make_error(std::string(kBadSdp), "SDP contains a NUL byte");
    Session s;
    size_t n = 0, pos = 0;
    bool seen_o = false, seen_s = false, seen_t = false;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? text.size() : end + 1;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        ++n;
        if (n > kMaxLines) return make_error(std::string(kSdpTooLarge), "SDP has more than 2000 lines");
        if (raw.empty()) continue;  // a trailing empty line (or a stray one) says nothing
        if (raw.size() < 2 || raw[1] != '=' || raw[0] < 'a' || raw[0] > 'z')
            return bad(n, "\"" + std::string(raw.substr(0, 20)) + "\" is not of the form x=value");
        if (raw.find('\r') != std::string_view::npos) return bad(n, "a bare CR inside a line");
        Line l{raw[0], std::string(raw.substr(2))};
        if (s.lines.empty() && l.type != 'v') return bad(n, "an SDP starts with v=0");
        if (auto st = check_line(l, n); !st) return st.error();
        if (l.type == 'o') seen_o = true;
        if (l.type == 's') seen_s = true;
        if (l.type == 't') seen_t = true;
        if (l.type == 'm') s.media.push_back(Media{{std::move(l)}});
        else if (!s.media.empty()) s.media.back().lines.push_back(std::move(l));
        else s.lines.push_back(std::move(l));
    }
    if (s.lines.empty()) return make_error(std::string(kBadSdp), "SDP is empty");
    if (!seen_o) return make_error(std::string(kBadSdp), "SDP has no o= line");
    if (!seen_s) return make_error(std::string(kBadSdp), "SDP has no s= line");
    if (!seen_t) return make_error(std::string(kBadSdp), "SDP has no t= line");
    return s;
}

std::string serialize(const Session& s) {
    std::string out;
    auto put = [&out](const Line& l) {
        out += l.type;
        out += '=';
        out += l.value;
        out += "\r\n";
    };
    for (const Line& l : s.lines) put(l);
    for (const Media& m : s.media)
        for (const Line& l : m.lines) put(l);
    return out;
}

std::optional<std::string_view> attribute(const std::vector<Line>& lines, std::string_view name) {
    auto all = attributes(lines, name);
    if (all.empty()) return std::nullopt;
    return all.front();
}

std::vector<std::string_view> attributes(const std::vector<Line>& lines, std::string_view name) {
    std::vector<std::string_view> out;
    for (const Line& l : lines) {
        if (l.type != 'a') continue;
        std::string_view v = l.value;
        if (v == name) out.push_back(std::string_view());
        else if (v.size() > name.size() && v.compare(0, name.size(), name) == 0 && v[name.size()] == ':')
            out.push_back(v.substr(name.size() + 1));
    }
    return out;
}

// ---- direction and hold ---------------------------------------------------------------------------
std::string_view to_string(Direction d) {
    switch (d) {
        case Direction::sendrecv: return "sendrecv";
        case Direction::sendonly: return "sendonly";
        case Direction::recvonly: return "recvonly";
        case Direction::inactive: return "inactive";
    }
    return "sendrecv";
}

Direction direction(const Session& s, size_t i) {
    if (i < s.media.size())
        if (auto d = direction_in(s.media[i].lines)) return *d;
    return direction_in(s.lines).value_or(Direction::sendrecv);
}

void set_direction(Session& s, size_t i, Direction d) {
    if (i >= s.media.size()) return;
    // Session-level attributes would apply to the other sections too: move them down first.
    if (auto session_level = direction_in(s.lines)) {
        for (size_t k = 0; k < s.media.size(); ++k)
            if (!direction_in(s.media[k].lines)) s.media[k].lines.push_back({'a', std::string(to_string(*session_level))});
        for (std::string_view name : {"sendrecv", "sendonly", "recvonly", "inactive"}) remove_attr(s.lines, name);
    }
    auto& lines = s.media[i].lines;
    for (std::string_view name : {"sendrecv", "sendonly", "recvonly", "inactive"}) remove_attr(lines, name);
    lines.push_back({'a', std::string(to_string(d))});
}

Direction answer_direction(Direction offered, Direction wanted) {
    bool they_send = offered == Direction::sendrecv || offered == Direction::sendonly;
    bool they_receive = offered == Direction::sendrecv || offered == Direction::recvonly;
    bool we_send = (wanted == Direction::sendrecv || wanted == Direction::sendonly) && they_receive;
    bool we_receive = (wanted == Direction::sendrecv || wanted == Direction::recvonly) && they_send;
    if (we_send && we_receive) return Direction::sendrecv;
    if (we_send) return Direction::sendonly;
    if (we_receive) return Direction::recvonly;
    return Direction::inactive;
}

std::optional<std::string_view> connection_address(const Session& s, size_t i) {
    auto address = [](const std::vector<Line>& lines) -> std::optional<std::string_view> {
        for (const Line& l : lines)
            if (l.type == 'c') {
                auto f = fields(l.value);
                if (f.size() == 3) return f[2].substr(0, f[2].find('/'));
            }
        return std::nullopt;
    };
    if (i < s.media.size())
        if (auto a = address(s.media[i].lines)) return a;
    return address(s.lines);
}

bool is_hold(const Session& s, size_t i) {
    Direction d = direction(s, i);
    if (d == Direction::sendonly || d == Direction::inactive) return true;
    // The RFC 2543 form; with ICE (every WebRTC offer) 0.0.0.0 only means "ask ICE".
    auto c = connection_address(s, i);
    if (!c || *c != "0.0.0.0") return false;
    bool ice = attribute(s.lines, "ice-ufrag") ||
               (i < s.media.size() && (attribute(s.media[i].lines, "ice-ufrag") || !attributes(s.media[i].lines, "candidate").empty()));
    return !ice;
}

// ---- codecs and DTMF ------------------------------------------------------------------------------
std::vector<Rtpmap> rtpmaps(const Media& m) {
    std::vector<Rtpmap> out;
    for (std::string_view v : attributes(m.lines, "rtpmap")) {
        // "<payload> <encoding>/<clock rate>[/<channels>]"
        size_t sp = v.find(' ');
        if (sp == std::string_view::npos) continue;
        auto pt = number(v.substr(0, sp));
        std::string_view rest = v.substr(sp + 1);
        size_t slash = rest.find('/');
        if (!pt || *pt > 127 || slash == std::string_view::npos) continue;
        Rtpmap r;
        r.payload = static_cast<int>(*pt);
        r.encoding = std::string(rest.substr(0, slash));
        std::string_view rate = rest.substr(slash + 1);
        size_t slash2 = rate.find('/');
        auto clock = number(rate.substr(0, slash2));
        if (!clock) continue;
        r.clock_rate = static_cast<int>(*clock);
        if (slash2 != std::string_view::npos)
            if (auto ch = number(rate.substr(slash2 + 1))) r.channels = static_cast<int>(*ch);
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<int> telephone_event_payload(const Media& m) {
    auto listed = m.formats();
    std::optional<int> any;
    for (const Rtpmap& r : rtpmaps(m)) {
        std::string enc = r.encoding;
        std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (enc != "telephone-event") continue;
        std::string pt = std::to_string(r.payload);
        if (std::find(listed.begin(), listed.end(), pt) == listed.end()) continue;
        if (r.clock_rate == 8000) return r.payload;
        if (!any) any = r.payload;
    }
    return any;
}

// ---- ICE and origin --------------------------------------------------------------------------------
size_t candidate_count(const Session& s) {
    size_t n = attributes(s.lines, "candidate").size();
    for (const Media& m : s.media) n += attributes(m.lines, "candidate").size();
    return n;
}

Status bump_version(Session& s) {
    for (Line& l : s.lines) {
        if (l.type != 'o') continue;
        auto f = fields(l.value);
        if (f.size() != 6) break;
        auto v = number(f[2]);
        if (!v || *v == ~0ULL) break;
        std::string next = std::to_string(*v + 1);
        l.value = std::string(f[0]) + ' ' + std::string(f[1]) + ' ' + next + ' ' + std::string(f[3]) + ' ' +
                  std::string(f[4]) + ' ' + std::string(f[5]);
        return Ok{};
    }
    return make_error(std::string(kBadSdp), "SDP has no usable o= line to bump");
}

}  // namespace sb::sip::sdp
