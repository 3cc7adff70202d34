#include "sip/fields.h"

#include "sip/grammar.h"
#include "sip/message.h"

namespace sb::sip {

using namespace grammar;

namespace {

constexpr size_t npos = std::string_view::npos;

Error bad(std::string message) { return make_error("sip_bad_header", std::move(message)); }
Error missing(HeaderId id) { return make_error("sip_missing_header", "missing " + std::string(canonical_name(id))); }

std::string quote(std::string_view s) { return "'" + excerpt(s) + "'"; }

// Reads `token SWS "/" SWS` style separators: skips whitespace, expects `c`, skips whitespace.
bool expect_sep(std::string_view s, size_t& i, char c) {
    size_t j = skip_ws(s, i);
    if (j >= s.size() || s[j] != c) return false;
    i = skip_ws(s, j + 1);
    return true;
}

// sent-by / hostport host: an IPv6 reference or hostname/IPv4 characters.
size_t span_host(std::string_view s, size_t i) {
    if (i < s.size() && s[i] == '[') {
        size_t close = s.find(']', i);
        if (close == npos) return 0;
        for (size_t k = i + 1; k < close; ++k)
            if (!is(s[k], kHex) && s[k] != ':' && s[k] != '.') return 0;
        return close + 1 - i;
    }
    return span_of(s, i, kHost);
}

}  // namespace

// ---- Via --------------------------------------------------------------------------------------
std::string_view Via::branch() const {
    auto p = params.find("branch");
    return p ? p->value : std::string_view{};
}

std::optional<std::string_view> Via::received() const {
    auto p = params.find("received");
    if (!p) return std::nullopt;
    return p->value;
}

bool Via::has_rport() const { return params.contains("rport"); }

std::optional<uint16_t> Via::rport() const {
    auto p = params.find("rport");
    uint64_t v = 0;
    if (!p || !parse_uint(p->value, 65535, v)) return std::nullopt;
    return static_cast<uint16_t>(v);
}

Result<Via> parse_via(std::string_view one_value) {
    std::string_view s = trim(one_value);
    if (s.empty()) return bad("empty Via value");
    Via via;
    size_t i = 0;
    auto token = [&](std::string_view& out) {
        size_t len = span_of(s, i, kToken);
        out = s.substr(i, len);
        i += len;
        return len > 0;
    };
    if (!token(via.protocol_name) || !expect_sep(s, i, '/') || !token(via.protocol_version) ||
        !expect_sep(s, i, '/') || !token(via.transport))
        return bad("Via " + quote(s) + " does not start with protocol/version/transport");
    size_t j = skip_ws(s, i);
    if (j == i || j >= s.size()) return bad("Via " + quote(s) + " has no sent-by after its transport");
    i = j;
    size_t hlen = span_host(s, i);
    if (hlen == 0) return bad("Via " + quote(s) + " has no valid sent-by host");
    via.host = s.substr(i, hlen);
    i += hlen;
    size_t k = i;
    if (expect_sep(s, k, ':')) {
        size_t plen = span_of(s, k, kAlnum);
        uint64_t port = 0;
        if (!parse_uint(s.substr(k, plen), 65535, port))
            return bad("Via sent-by port " + quote(s.substr(k, plen)) + " is not a port number (0-65535)");
        via.port = static_cast<uint16_t>(port);
        i = k + plen;
    }
    std::string_view rest = s.substr(i);
    if (auto ok = check_params(rest, ParamStyle::header, "Via"); !ok) return ok.error();
    via.params = Params(rest, ParamStyle::header);
    for (const Param& p : via.params) {
        uint64_t v = 0;
        if ((iequals(p.name, "branch") || iequals(p.name, "received") || iequals(p.name, "maddr")) && !p.has_value)
            return bad("Via parameter " + std::string(p.name) + " has no value");
        if (iequals(p.name, "rport") && p.has_value && !parse_uint(p.value, 65535, v))
            return bad("Via rport=" + excerpt(p.value) + " is not a port number");
        if (iequals(p.name, "ttl") && !parse_uint(p.value, 255, v))
            return bad("Via ttl=" + excerpt(p.value) + " is not 0-255");
    }
    return via;
}

// ---- CSeq -------------------------------------------------------------------------------------
Result<CSeq> parse_cseq(std::string_view value) {
    std::string_view s = trim(value);
    size_t dlen = 0;
    while (dlen < s.size() && is_digit(s[dlen])) ++dlen;
    if (dlen == 0) return bad("CSeq " + quote(s) + " does not start with a sequence number");
    CSeq c;
    uint64_t n = 0;
    if (!parse_uint(s.substr(0, dlen), 0xffffffffULL, n))
        return bad("CSeq number " + excerpt(s.substr(0, dlen)) + " out of range (0-4294967295)");
    c.number = static_cast<uint32_t>(n);
    size_t i = skip_ws(s, dlen);
    if (i == dlen) return bad("CSeq " + quote(s) + " needs whitespace between number and method");
    c.method = s.substr(i);
    if (!is_token(c.method)) return bad("CSeq method " + quote(c.method) + " is not a token");
    return c;
}

// ---- numbers ----------------------------------------------------------------------------------
Result<uint32_t> parse_max_forwards(std::string_view value) {
    std::string_view s = trim(value);
    uint64_t v = 0;
    if (s.empty() || s.find_first_not_of("0123456789") != npos) return bad("Max-Forwards " + quote(s) + " is not a number");
    if (!parse_uint(s, 255, v)) return bad("Max-Forwards " + excerpt(s) + " out of range (0-255)");
    return static_cast<uint32_t>(v);
}

Result<uint32_t> parse_delta_seconds(std::string_view value, std::string_view what) {
    std::string_view s = trim(value);
    uint64_t v = 0;
    if (s.empty() || s.find_first_not_of("0123456789") != npos)
        return bad(std::string(what) + " " + quote(s) + " is not a number of seconds");
    if (!parse_uint(s, 0xffffffffULL, v))
        return bad(std::string(what) + " " + excerpt(s) + " out of range (0-4294967295)");
    return static_cast<uint32_t>(v);
}

Result<uint64_t> parse_content_length(std::string_view value) {
    std::string_view s = trim(value);
    uint64_t v = 0;
    if (s.empty() || s.find_first_not_of("0123456789") != npos)
        return bad("Content-Length " + excerpt(s) + " is not a non-negative integer");
    if (!parse_uint(s, 0xffffffffULL, v)) return bad("Content-Length " + excerpt(s) + " is too large");
    return v;
}

// ---- Call-ID ----------------------------------------------------------------------------------
Status check_call_id(std::string_view value) {
    std::string_view s = trim(value);
    if (s.empty()) return bad("Call-ID is empty");
    size_t at = s.find('@');
    std::string_view local = s.substr(0, at);
    std::string_view host = at == npos ? std::string_view{} : s.substr(at + 1);
    if (local.empty() || (at != npos && host.empty()))
        return bad("Call-ID " + quote(s) + " must be word or word@word");
    for (std::string_view w : {local, host})
        for (char c : w)
            if (!is(c, kWord)) return bad("Call-ID " + quote(s) + " has " + describe_char(c));
    return Ok{};
}

// ---- Content-Type -----------------------------------------------------------------------------
bool MediaType::is(std::string_view t, std::string_view st) const { return iequals(type, t) && iequals(subtype, st); }

Result<MediaType> parse_media_type(std::string_view value) {
    std::string_view s = trim(value);
    MediaType m;
    size_t i = span_of(s, 0, kToken);
    m.type = s.substr(0, i);
    if (m.type.empty() || !expect_sep(s, i, '/'))
        return bad("Content-Type " + quote(s) + " is not type/subtype");
    size_t len = span_of(s, i, kToken);
    m.subtype = s.substr(i, len);
    if (m.subtype.empty()) return bad("Content-Type " + quote(s) + " has no subtype");
    std::string_view rest = s.substr(i + len);
    if (auto ok = check_params(rest, ParamStyle::header, "Content-Type"); !ok) return ok.error();
    m.params = Params(rest, ParamStyle::header);
    return m;
}

// ---- digest challenge and credentials ---------------------------------------------------------
std::string AuthParam::text() const { return quoted ? unquote(value) : std::string(value); }

bool AuthValue::is_digest() const { return iequals(scheme, "Digest"); }

std::optional<std::string> AuthValue::param(std::string_view name) const {
    for (const auto& p : params)
        if (iequals(p.name, name)) return p.text();
    return std::nullopt;
}

std::vector<std::string> AuthValue::qop_options() const {
    std::vector<std::string> out;
    auto qop = param("qop");
    if (!qop) return out;
    std::string_view s = *qop;
    while (!s.empty()) {
        size_t comma = s.find(',');
        std::string_view part = trim(s.substr(0, comma));
        if (!part.empty()) out.emplace_back(part);
        if (comma == npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

Result<AuthValue> parse_auth(std::string_view value, std::string_view what) {
    std::string name(what);
    std::string_view s = trim(value);
    AuthValue a;
    size_t i = span_of(s, 0, kToken);
    a.scheme = s.substr(0, i);
    if (a.scheme.empty()) return bad(name + " " + quote(s) + " has no scheme");
    size_t j = skip_ws(s, i);
    if (j >= s.size()) return bad(name + " has no parameters after " + std::string(a.scheme));
    if (j == i) return bad(name + " needs whitespace after the scheme " + quote(a.scheme));
    i = j;
    while (true) {
        AuthParam p;
        size_t len = span_of(s, i, kToken);
        if (len == 0) return bad("empty or malformed parameter at " + quote(s.substr(i)) + " in " + name);
        p.name = s.substr(i, len);
        i += len;
        if (!expect_sep(s, i, '=')) return bad(name + " parameter " + std::string(p.name) + " has no '='");
        if (i < s.size() && s[i] == '"') {
            size_t end = scan_quoted(s, i);
            if (end == npos) return bad("unterminated quoted string in " + name + " parameter " + std::string(p.name));
            p.value = s.substr(i, end - i);
            p.quoted = true;
            i = end;
        } else {
            size_t vlen = 0;
            while (i + vlen < s.size() && (is_token_char(s[i + vlen]) || s[i + vlen] == '/' || s[i + vlen] == ':'))
                ++vlen;
            if (vlen == 0) return bad(name + " parameter " + std::string(p.name) + " has an empty value");
            p.value = s.substr(i, vlen);
            i += vlen;
        }
        a.params.push_back(p);
        i = skip_ws(s, i);
        if (i >= s.size()) break;
        if (s[i] != ',')
            return bad("unexpected " + describe_char(s[i]) + " after parameter " + std::string(p.name) + " in " + name);
        i = skip_ws(s, i + 1);
    }
    return a;
}

// ---- Date -------------------------------------------------------------------------------------
Status check_date(std::string_view value) {
    // "Sat, 15 Oct 2005 04:44:56 GMT"
    std::string_view s = trim(value);
    static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto digits = [&](size_t at, size_t n) {
        for (size_t k = at; k < at + n; ++k)
            if (!is_digit(s[k])) return false;
        return true;
    };
    auto one_of = [](std::string_view v, const std::string_view* list, size_t n) {
        for (size_t k = 0; k < n; ++k)
            if (list[k] == v) return true;
        return false;
    };
    bool ok = s.size() == 29 && one_of(s.substr(0, 3), kDays, 7) && s.substr(3, 2) == ", " && digits(5, 2) &&
              s[7] == ' ' && one_of(s.substr(8, 3), kMonths, 12) && s[11] == ' ' && digits(12, 4) && s[16] == ' ' &&
              digits(17, 2) && s[19] == ':' && digits(20, 2) && s[22] == ':' && digits(23, 2) && s[25] == ' ';
    if (!ok) return bad("Date " + quote(s) + " is not an RFC 1123 date");
    if (s.substr(26) != "GMT") return bad("Date " + quote(s) + " must be in GMT, not " + std::string(s.substr(26)));
    return Ok{};
}

// ---- readers over a Message -------------------------------------------------------------------
Result<std::vector<Via>> read_vias(const Message& m) {
    std::vector<Via> out;
    for (std::string_view v : m.values(HeaderId::via)) {
        auto via = parse_via(v);
        if (!via) return via.error();
        out.push_back(via.value());
    }
    if (out.empty()) return missing(HeaderId::via);
    return out;
}

Result<CSeq> read_cseq(const Message& m) {
    auto h = m.find(HeaderId::cseq);
    if (!h) return missing(HeaderId::cseq);
    return parse_cseq(h->value);
}

Result<std::optional<uint32_t>> read_max_forwards(const Message& m) {
    auto h = m.find(HeaderId::max_forwards);
    if (!h) return std::optional<uint32_t>{};
    auto v = parse_max_forwards(h->value);
    if (!v) return v.error();
    return std::optional<uint32_t>(v.value());
}

Result<std::optional<uint32_t>> read_expires(const Message& m) {
    auto h = m.find(HeaderId::expires);
    if (!h) return std::optional<uint32_t>{};
    auto v = parse_delta_seconds(h->value, "Expires");
    if (!v) return v.error();
    return std::optional<uint32_t>(v.value());
}

Result<std::optional<MediaType>> read_content_type(const Message& m) {
    auto h = m.find(HeaderId::content_type);
    if (!h) return std::optional<MediaType>{};
    auto v = parse_media_type(h->value);
    if (!v) return v.error();
    return std::optional<MediaType>(v.value());
}

}  // namespace sb::sip
