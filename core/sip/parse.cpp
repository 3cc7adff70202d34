// parse_message: bytes -> Message, in three passes over one owned buffer.
//
// 1. lines: the start line, then each header line with its continuation lines (a line that
//    starts with SP or HTAB), up to the empty line. Folds are joined with one SP in place, so
//    every value stays a plain span of the buffer.
// 2. validation, in header order so that the first problem in the message is the one reported:
//    the headers every layer relies on are read with their typed reader (sip/fields.h,
//    sip/address.h) and the CSeq method is checked against the request method.
// 3. framing: Content-Length (or the end of the input) decides where the body ends.
#include <cstring>

#include "sip/address.h"
#include "sip/fields.h"
#include "sip/grammar.h"
#include "sip/message.h"
#include "sip/uri.h"

namespace sb::sip {

using namespace grammar;

namespace {
constexpr size_t npos = std::string_view::npos;

Error fail(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

// The end of the header section: the index just past the empty line, or npos.
size_t find_header_end(std::string_view s, size_t from) {
    for (size_t nl = s.find('\n', from); nl != npos; nl = s.find('\n', nl + 1)) {
        size_t next = nl + 1;
        if (next < s.size() && s[next] == '\n') return next + 1;
        if (next + 1 < s.size() && s[next] == '\r' && s[next + 1] == '\n') return next + 2;
    }
    return npos;
}
}  // namespace

class MessageParser {
public:
    MessageParser(Message& m, const ParseOptions& o) : m_(m), opt_(o), s_(m.buf_) {}

    Status run();

private:
    using Span = Message::Span;
    Span span(size_t pos, size_t len) const { return Span{static_cast<uint32_t>(pos), static_cast<uint32_t>(len)}; }
    Span span_of_view(std::string_view v) const {
        if (v.empty()) return span(0, 0);  // an empty view may not point into the buffer
        return span(static_cast<size_t>(v.data() - s_.data()), v.size());
    }

    Status start_line(std::string_view line);
    Status request_line(std::string_view line);
    Status status_line(std::string_view line);
    Status header_lines(size_t& pos, bool& found_empty_line);
    Status header_line(size_t begin, size_t end, bool folded);
    Status validate();
    Status validate_header(const Header& h);
    Status frame(size_t body_start, bool found_empty_line);

    Message& m_;
    const ParseOptions& opt_;
    std::string_view s_;
    bool all_lines_terminated_ = true;
};

Status MessageParser::run() {
    size_t pos = 0;
    while (pos < s_.size() && (s_[pos] == '\r' || s_[pos] == '\n')) ++pos;  // RFC 3261 7.5
    if (pos == s_.size())
        return fail(kEmpty, s_.empty() ? "message is empty" : "message is empty (only line breaks, a keepalive)");
    if (opt_.framing == Framing::stream) {
        size_t end = find_header_end(s_, pos);
        if (end == npos) {
            if (s_.size() > opt_.max_size)
                return fail(kTooLarge, "no end of the header section in the first " + std::to_string(opt_.max_size) + " bytes");
            return fail(kIncomplete, "the header section has not ended yet");
        }
    } else if (s_.size() > opt_.max_size) {
        return fail(kTooLarge, "message of " + std::to_string(s_.size()) + " bytes is larger than the limit of " +
                                   std::to_string(opt_.max_size));
    }
    size_t nl = s_.find('\n', pos);
    if (nl == npos) return fail(kBadStartLine, "message ends inside the start line");
    size_t line_end = (nl > pos && s_[nl - 1] == '\r') ? nl - 1 : nl;
    if (auto ok = start_line(s_.substr(pos, line_end - pos)); !ok) return ok;
    pos = nl + 1;
    bool found_empty_line = false;
    if (auto ok = header_lines(pos, found_empty_line); !ok) return ok;
    if (!all_lines_terminated_) return fail(kBadFraming, "message ends inside a header line");
    if (auto ok = validate(); !ok) return ok;
    return frame(pos, found_empty_line);
}

// ---- start line -------------------------------------------------------------------------------
Status MessageParser::start_line(std::string_view line) {
    for (char c : line)
        if (c == '\0' || c == '\r')
            return fail(kBadStartLine, "start line contains " + describe_char(c));
    if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) return status_line(line);
    return request_line(line);
}

namespace {
Status check_version(std::string_view v) {
    size_t dot = v.find('.');
    bool well_formed = v.size() > 4 && iequals(v.substr(0, 4), "SIP/") && dot != npos && dot > 4 &&
                       dot + 1 < v.size() && v.substr(4, dot - 4).find_first_not_of("0123456789") == npos &&
                       v.substr(dot + 1).find_first_not_of("0123456789") == npos;
    if (!well_formed) return fail(kBadStartLine, "malformed SIP version '" + excerpt(v) + "'");
    if (!iequals(v, "SIP/2.0")) return fail(kBadVersion, "unsupported SIP version " + excerpt(v));
    return Ok{};
}
}  // namespace

Status MessageParser::request_line(std::string_view line) {
    size_t sp1 = line.find(' ');
    size_t sp2 = line.rfind(' ');
    if (sp1 == npos || sp2 == sp1)
        return fail(kBadStartLine, "start line '" + excerpt(line) + "' is not Method SP Request-URI SP SIP-Version");
    std::string_view method = line.substr(0, sp1);
    std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (method.empty()) return fail(kBadStartLine, "Request-Line starts with whitespace");
    if (!is_token(method))
        return fail(kBadStartLine, "method '" + excerpt(method) + "' has " + describe_char(method[span_of(method, 0, kToken)]));
    if (version.empty()) return fail(kBadStartLine, "Request-Line ends with whitespace after the SIP version");
    if (uri.empty() || uri.front() == ' ' || uri.back() == ' ')
        return fail(kBadStartLine, "Request-Line elements must be separated by single spaces");
    if (uri.find_first_of(" \t") != npos)
        return fail(kBadStartLine, "Request-URI '" + excerpt(uri) + "' contains whitespace");
    if (auto ok = check_version(version); !ok) return ok;
    if (uri.front() == '<') return fail(kBadStartLine, "Request-URI must not be enclosed in <>");
    auto parsed = parse_uri(uri, "Request-URI");
    if (!parsed) return fail(kBadStartLine, parsed.error().message);
    if (parsed.value().is_sip() && !parsed.value().headers.empty())
        return fail(kBadStartLine, "Request-URI must not contain headers (" + excerpt(parsed.value().headers.raw()) + ")");
    m_.request_ = true;
    m_.method_ = span_of_view(method);
    m_.uri_ = span_of_view(uri);
    m_.version_ = span_of_view(version);
    return Ok{};
}

Status MessageParser::status_line(std::string_view line) {
    size_t sp1 = line.find(' ');
    std::string_view version = line.substr(0, sp1);
    if (auto ok = check_version(version); !ok) return ok;
    if (sp1 == npos) return fail(kBadStartLine, "Status-Line has no status code");
    size_t sp2 = line.find(' ', sp1 + 1);
    std::string_view code = line.substr(sp1 + 1, sp2 == npos ? npos : sp2 - sp1 - 1);
    if (code.empty()) return fail(kBadStartLine, "Status-Line elements must be separated by single spaces");
    if (code.find_first_not_of("0123456789") != npos)
        return fail(kBadStartLine, "status code '" + excerpt(code) + "' is not a number");
    if (code.size() != 3 || code[0] < '1' || code[0] > '6')
        return fail(kBadStartLine, "status code " + excerpt(code) + " out of range");
    // The reason phrase may be empty (RFC 4475 3.1.1.13); a missing SP before it is tolerated.
    std::string_view reason = line.substr(sp2 == npos ? line.size() : sp2 + 1);
    for (char c : reason)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
            return fail(kBadStartLine, "reason phrase contains " + describe_char(c));
    m_.request_ = false;
    m_.status_ = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    m_.version_ = span_of_view(version);
    m_.reason_ = span_of_view(reason);
    return Ok{};
}

// ---- header lines -----------------------------------------------------------------------------
Status MessageParser::header_lines(size_t& pos, bool& found_empty_line) {
    size_t n = s_.size();
    m_.headers_.reserve(24);
    while (pos < n) {
        char c = s_[pos];
        if (c == '\n' || (c == '\r' && pos + 1 < n && s_[pos + 1] == '\n')) {
            pos += c == '\n' ? 1 : 2;
            found_empty_line = true;
            return Ok{};
        }
        if (is_ws(c)) {
            if (m_.headers_.empty()) return fail(kBadStartLine, "the start line cannot be continued on the next line");
            return fail(kBadHeader, "unexpected continuation line");
        }
        // A logical line runs to a line break that is not followed by SP or HTAB.
        size_t nl = s_.find('\n', pos);
        bool folded = false;
        while (nl != npos && nl + 1 < n && is_ws(s_[nl + 1])) {
            nl = s_.find('\n', nl + 1);
            folded = true;
        }
        size_t end = nl == npos ? n : nl;
        if (nl == npos) all_lines_terminated_ = false;
        if (m_.headers_.size() >= opt_.max_headers)
            return fail(kTooLarge, "more than " + std::to_string(opt_.max_headers) + " header fields");
        if (auto ok = header_line(pos, end, folded); !ok) return ok;
        pos = nl == npos ? n : nl + 1;
    }
    return Ok{};
}

Status MessageParser::header_line(size_t begin, size_t end, bool folded) {
    if (end > begin && s_[end - 1] == '\r') --end;
    std::string_view line = s_.substr(begin, end - begin);
    size_t name_len = span_of(line, 0, kToken);
    size_t colon = skip_ws(line, name_len);
    if (name_len == 0 || colon >= line.size() || line[colon] != ':') {
        if (name_len == 0)
            return fail(kBadHeader, "header line '" + excerpt(line) + "' does not start with a name (found " +
                                        describe_char(line.empty() ? '\0' : line[0]) + ")");
        return fail(kBadHeader, "header line '" + excerpt(line) + "' has no colon after its name");
    }
    // Join folds in place: [WS] CRLF 1*WS becomes one SP; the value only ever shrinks. Most
    // lines have no fold and are left untouched.
    size_t v = begin + colon + 1;
    size_t w = end;
    std::string& buf = m_.buf_;
    if (folded || std::memchr(buf.data() + v, '\r', end - v)) {
        w = v;
        for (size_t r = v; r < end; ++r) {
            char c = buf[r];
            if (c == '\r' || c == '\n') {
                if (c == '\r' && (r + 1 >= end || buf[r + 1] != '\n'))
                    return fail(kBadHeader, "header " + std::string(line.substr(0, name_len)) +
                                                " contains a CR that does not end a line");
                r += c == '\r' ? 1 : 0;
                while (w > v && is_ws(buf[w - 1])) --w;
                while (r + 1 < end && is_ws(buf[r + 1])) ++r;
                buf[w++] = ' ';
                continue;
            }
            buf[w++] = c;
        }
    }
    std::string_view value = trim(std::string_view(buf).substr(v, w - v));
    Message::Entry e;
    e.name = span(begin, name_len);
    e.value = span_of_view(value);
    e.id = header_id(line.substr(0, name_len));
    m_.headers_.push_back(e);
    return Ok{};
}

// ---- validation -------------------------------------------------------------------------------
Status MessageParser::validate() {
    for (size_t i = 0; i < m_.headers_.size(); ++i)
        if (auto ok = validate_header(m_.header(i)); !ok) return ok;
    return Ok{};
}

Status MessageParser::validate_header(const Header& h) {
    auto as_header_error = [](const Error& e) { return fail(kBadHeader, e.message); };
    switch (h.id) {
        case HeaderId::via: {
            std::string_view part;
            for (ValueSplitter it(h.value); it.next(part);) {
                if (part.empty()) return fail(kBadHeader, "empty element in the Via list '" + excerpt(h.value) + "'");
                if (auto via = parse_via(part); !via) return as_header_error(via.error());
            }
            return Ok{};
        }
        case HeaderId::from:
        case HeaderId::to:
            if (auto a = parse_name_addr(h.value, h.canonical); !a) return as_header_error(a.error());
            return Ok{};
        case HeaderId::contact:
        case HeaderId::route:
        case HeaderId::record_route:
            if (auto ok = check_name_addr_list(h.value, h.canonical, h.id == HeaderId::contact); !ok)
                return as_header_error(ok.error());
            return Ok{};
        case HeaderId::call_id:
            if (auto ok = check_call_id(h.value); !ok) return as_header_error(ok.error());
            return Ok{};
        case HeaderId::cseq: {
            auto c = parse_cseq(h.value);
            if (!c) return as_header_error(c.error());
            if (m_.request_ && c.value().method != m_.method())
                return fail(kCSeqMismatch, "CSeq method " + excerpt(c.value().method) + " does not match request method " +
                                               excerpt(m_.method()));
            return Ok{};
        }
        case HeaderId::max_forwards:
            if (auto v = parse_max_forwards(h.value); !v) return as_header_error(v.error());
            return Ok{};
        case HeaderId::content_length:
            if (auto v = parse_content_length(h.value); !v) return fail(kBadFraming, v.error().message);
            return Ok{};
        case HeaderId::content_type:
            if (auto v = parse_media_type(h.value); !v) return as_header_error(v.error());
            return Ok{};
        default:
            return Ok{};
    }
}

// ---- framing ----------------------------------------------------------------------------------
Status MessageParser::frame(size_t body_start, bool found_empty_line) {
    std::optional<uint64_t> length;
    std::string_view first_text;
    for (const auto& e : m_.headers_) {
        if (e.id != HeaderId::content_length) continue;
        uint64_t v = parse_content_length(m_.view(e.value)).value();
        if (!length) {
            length = v;
            first_text = m_.view(e.value);
        } else if (*length != v) {
            m_.content_length_conflict_ = true;
            if (opt_.framing == Framing::stream)
                return fail(kBadFraming, "Content-Length appears more than once with different values (" +
                                             std::string(first_text) + " and " + std::string(m_.view(e.value)) + ")");
        }
    }
    if (!found_empty_line)
        return fail(kBadFraming, "message ends without the empty line that closes the header section");
    size_t available = s_.size() - body_start;
    size_t body_len = available;
    if (m_.content_length_conflict_) {
        // RFC 4475 3.3.9: no way to know; as if there were no Content-Length (the rest).
    } else if (length) {
        if (*length > available) {
            if (opt_.framing == Framing::stream) return fail(kIncomplete, "the body has not fully arrived yet");
            return fail(kBadFraming, "Content-Length " + std::to_string(*length) + " is larger than the " +
                                         std::to_string(available) + "-byte body");
        }
        body_len = static_cast<size_t>(*length);
    } else if (opt_.framing == Framing::stream) {
        return fail(kBadFraming, "Content-Length is required on a stream transport (RFC 3261 18.3)");
    }
    if (opt_.framing == Framing::stream && body_start + body_len > opt_.max_size)
        return fail(kTooLarge, "message larger than the limit of " + std::to_string(opt_.max_size) + " bytes");
    m_.body_ = span(body_start, body_len);
    m_.wire_size_ = body_start + body_len;
    m_.ignored_bytes_ = opt_.framing == Framing::message ? available - body_len : 0;
    return Ok{};
}

Result<Message> parse_message(std::string bytes, const ParseOptions& options) {
    Message m;
    m.buf_ = std::move(bytes);
    if (m.buf_.size() > 0x7fffffffu) return fail(kTooLarge, "message larger than 2 GiB");
    MessageParser parser(m, options);
    if (auto ok = parser.run(); !ok) return ok.error();
    return m;
}

}  // namespace sb::sip
