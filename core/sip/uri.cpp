#include "sip/uri.h"

#include "sip/grammar.h"

namespace sb::sip {

using namespace grammar;

namespace {

constexpr size_t npos = std::string_view::npos;

Error bad(std::string message) { return make_error("sip_bad_header", std::move(message)); }

// gen-value outside quotes: token or host (which adds ':' '[' ']' for IPv6).
size_t span_gen_value(std::string_view s, size_t i) {
    size_t start = i;
    while (i < s.size() && (is_token_char(s[i]) || s[i] == ':' || s[i] == '[' || s[i] == ']')) ++i;
    return i - start;
}

// The character at which a run of `cls` (with escapes) stops being valid, for error messages.
std::string offending(std::string_view s, uint16_t cls, bool escapes) {
    size_t n = span_of(s, 0, cls, escapes);
    if (n >= s.size()) return "nothing";
    if (s[n] == '%') return "an invalid %-escape";
    return describe_char(s[n]);
}

enum class Scan { param, end, bad };

// Reads the parameter that starts at the separator at `pos`; on success `pos` moves past it.
Scan scan_param(std::string_view s, ParamStyle style, size_t& pos, Param& out, std::string* why) {
    out = Param{};
    size_t n = s.size();
    if (style == ParamStyle::header) {
        size_t i = skip_ws(s, pos);
        if (i >= n) return Scan::end;
        if (s[i] != ';') {
            if (why) *why = "unexpected " + describe_char(s[i]);
            return Scan::bad;
        }
        i = skip_ws(s, i + 1);
        size_t len = span_of(s, i, kToken);
        if (len == 0) {
            if (why) *why = (i >= n || s[i] == ';' || s[i] == ',') ? "empty parameter"
                                                                    : "parameter name starting with " + describe_char(s[i]);
            return Scan::bad;
        }
        out.name = s.substr(i, len);
        i += len;
        size_t j = skip_ws(s, i);
        if (j < n && s[j] == '=') {
            j = skip_ws(s, j + 1);
            if (j < n && s[j] == '"') {
                size_t end = scan_quoted(s, j);
                if (end == npos) {
                    if (why) *why = "unterminated quoted string in parameter " + std::string(out.name);
                    return Scan::bad;
                }
                out.value = s.substr(j, end - j);
                i = end;
            } else {
                size_t vlen = span_gen_value(s, j);
                if (vlen == 0) {
                    if (why) *why = "parameter " + std::string(out.name) + " has an empty value";
                    return Scan::bad;
                }
                out.value = s.substr(j, vlen);
                i = j + vlen;
            }
            out.has_value = true;
        }
        pos = i;
        return Scan::param;
    }
    if (pos >= n) return Scan::end;
    char sep = style == ParamStyle::uri ? ';' : (pos == 0 ? '?' : '&');
    if (s[pos] != sep) {
        if (why) *why = "unexpected " + describe_char(s[pos]);
        return Scan::bad;
    }
    uint16_t cls = style == ParamStyle::uri ? kParamChar : kHeaderChar;
    size_t i = pos + 1;
    size_t len = span_of(s, i, cls, true);
    if (len == 0) {
        if (why) *why = (i < n && s[i] == '%') ? "invalid %-escape in a parameter name" : "empty parameter";
        return Scan::bad;
    }
    out.name = s.substr(i, len);
    i += len;
    if (i < n && s[i] == '=') {
        size_t vlen = span_of(s, i + 1, cls, true);
        if (vlen == 0 && style == ParamStyle::uri) {
            if (why) *why = "parameter " + std::string(out.name) + " has an empty value";
            return Scan::bad;
        }
        out.value = s.substr(i + 1, vlen);
        out.has_value = true;
        i += 1 + vlen;
    } else if (style == ParamStyle::uri_headers) {
        if (why) *why = "header " + std::string(out.name) + " has no '='";
        return Scan::bad;
    }
    pos = i;
    return Scan::param;
}

bool names_equal(ParamStyle style, std::string_view raw, std::string_view name) {
    return style == ParamStyle::header ? iequals(raw, name) : iequals_unescaped(raw, name);
}

// Consumes a run of URI parameters (or headers) of `s` from `i`; returns the error, if any.
std::optional<std::string> consume_params(std::string_view s, ParamStyle style, size_t& i) {
    // Scan on a view that starts at the list so that the first-separator rule sees position 0.
    std::string_view list = s.substr(i);
    size_t pos = 0;
    char more = style == ParamStyle::uri ? ';' : '&';
    Param p;
    std::string why;
    while (true) {
        Scan r = scan_param(list, style, pos, p, &why);
        if (r == Scan::bad) return why;
        if (r == Scan::end || pos >= list.size() || list[pos] != more) break;
    }
    i += pos;
    return std::nullopt;
}

}  // namespace

// ---- Param / Params ---------------------------------------------------------------------------
std::string Param::text(ParamStyle style) const {
    return style == ParamStyle::header ? unquote(value) : unescape(value);
}

Params::iterator::iterator(const Params* p, size_t pos) : p_(p), pos_(pos) {
    if (pos_ != npos) load();
}

void Params::iterator::load() {
    size_t at = pos_;
    if (scan_param(p_->text_, p_->style_, at, current_, nullptr) != Scan::param) {
        pos_ = npos;
        return;
    }
    next_ = at;
}

Params::iterator& Params::iterator::operator++() {
    pos_ = next_;
    load();
    return *this;
}

std::optional<Param> Params::find(std::string_view name) const {
    for (const Param& p : *this)
        if (names_equal(style_, p.name, name)) return p;
    return std::nullopt;
}

std::optional<std::string> Params::text(std::string_view name) const {
    auto p = find(name);
    if (!p) return std::nullopt;
    return p->text(style_);
}

size_t Params::size() const {
    size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
}

Status check_params(std::string_view text, ParamStyle style, std::string_view what) {
    size_t pos = 0;
    Param p;
    std::string why;
    std::string_view last;
    while (true) {
        Scan r = scan_param(text, style, pos, p, &why);
        if (r == Scan::end) return Ok{};
        if (r == Scan::bad) {
            std::string where = last.empty() ? "" : " after parameter " + std::string(last);
            return bad(why + where + " in " + std::string(what));
        }
        last = p.name;
    }
}

// ---- Uri --------------------------------------------------------------------------------------
std::string Uri::user_text() const { return unescape(user); }
std::string Uri::password_text() const { return unescape(password); }

namespace {

Status parse_sip_parts(Uri& u, std::string_view rest, const std::string& label) {
    size_t i = 0, n = rest.size();
    size_t at = rest.find('@');
    if (at != npos) {
        std::string_view userinfo = rest.substr(0, at);
        size_t colon = userinfo.find(':');
        u.user = userinfo.substr(0, colon);
        if (u.user.empty()) return bad(label + " has an empty user part");
        if (span_of(u.user, 0, kUser, true) != u.user.size())
            return bad(label + " user part has " + offending(u.user, kUser, true));
        if (colon != npos) {
            u.has_password = true;
            u.password = userinfo.substr(colon + 1);
            if (span_of(u.password, 0, kPassword, true) != u.password.size())
                return bad(label + " password has " + offending(u.password, kPassword, true));
        }
        i = at + 1;
    }
    if (i < n && rest[i] == '[') {
        size_t close = rest.find(']', i);
        if (close == npos) return bad(label + " has an unterminated IPv6 reference");
        std::string_view inner = rest.substr(i + 1, close - i - 1);
        bool ok = !inner.empty() && inner.find(':') != npos;
        for (char c : inner) ok = ok && (is(c, kHex) || c == ':' || c == '.');
        if (!ok) return bad(label + " has an invalid IPv6 reference [" + excerpt(inner) + "]");
        u.host = rest.substr(i, close + 1 - i);
        i = close + 1;
    } else {
        size_t len = span_of(rest, i, kHost);
        u.host = rest.substr(i, len);
        i += len;
    }
    if (u.host.empty())
        return bad(label + " has no host" + (i < n ? " (found " + describe_char(rest[i]) + ")" : ""));
    if (i < n && rest[i] == ':') {
        size_t len = span_of(rest, i + 1, kAlnum);
        std::string_view digits = rest.substr(i + 1, len);
        uint64_t port = 0;
        if (digits.empty() || !parse_uint(digits, 65535, port))
            return bad(label + " port '" + excerpt(digits) + "' is not a port number (0-65535)");
        u.port = static_cast<uint16_t>(port);
        i += 1 + len;
    }
    size_t start = i;
    if (i < n && rest[i] == ';') {
        if (auto why = consume_params(rest, ParamStyle::uri, i)) return bad(*why + " in " + label);
    }
    u.params = Params(rest.substr(start, i - start), ParamStyle::uri);
    start = i;
    if (i < n && rest[i] == '?') {
        if (auto why = consume_params(rest, ParamStyle::uri_headers, i)) return bad(*why + " in " + label + " headers");
    }
    u.headers = Params(rest.substr(start, i - start), ParamStyle::uri_headers);
    if (i < n) return bad(label + " has unexpected " + describe_char(rest[i]) + " after " + excerpt(rest.substr(0, i)));
    return Ok{};
}

Status parse_tel_parts(Uri& u, std::string_view rest, const std::string& label) {
    size_t len = span_of(rest, 0, kParamChar, true);
    u.user = rest.substr(0, len);
    if (u.user.empty()) return bad(label + " has no telephone number");
    size_t i = len;
    if (i < rest.size() && rest[i] == ';') {
        if (auto why = consume_params(rest, ParamStyle::uri, i)) return bad(*why + " in " + label);
    }
    u.params = Params(rest.substr(len, i - len), ParamStyle::uri);
    if (i < rest.size()) return bad(label + " has unexpected " + describe_char(rest[i]));
    return Ok{};
}

}  // namespace

Result<Uri> parse_uri(std::string_view text, std::string_view what) {
    std::string label(what);
    if (text.empty()) return bad(label + " is empty");
    Uri u;
    u.text = text;
    size_t slen = is_alpha(text[0]) ? 1 + span_of(text, 1, kScheme) : 0;
    if (slen == 0 || slen >= text.size() || text[slen] != ':')
        return bad(label + " '" + excerpt(text) + "' has no scheme");
    u.scheme_name = text.substr(0, slen);
    std::string_view rest = text.substr(slen + 1);
    if (iequals(u.scheme_name, "sip") || iequals(u.scheme_name, "sips")) {
        u.scheme = u.scheme_name.size() == 3 ? Scheme::sip : Scheme::sips;
        if (auto ok = parse_sip_parts(u, rest, label); !ok) return ok.error();
        return u;
    }
    if (iequals(u.scheme_name, "tel")) {
        u.scheme = Scheme::tel;
        if (auto ok = parse_tel_parts(u, rest, label); !ok) return ok.error();
        return u;
    }
    u.scheme = Scheme::other;
    u.opaque = rest;
    if (rest.empty()) return bad(label + " '" + excerpt(text) + "' is empty after its scheme");
    if (span_of(rest, 0, kUric | kParamChar, true) != rest.size())
        return bad(label + " '" + excerpt(text) + "' has " + offending(rest, kUric | kParamChar, true));
    return u;
}

}  // namespace sb::sip
