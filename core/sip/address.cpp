#include "sip/address.h"

#include "sip/grammar.h"
#include "sip/message.h"

namespace sb::sip {

using namespace grammar;

namespace {

constexpr size_t npos = std::string_view::npos;

Error bad(std::string message) { return make_error("sip_bad_header", std::move(message)); }

Result<NameAddr> parse_one(std::string_view value, std::string_view what, bool allow_star) {
    std::string name(what);
    std::string_view s = trim(value);
    if (s.empty()) return bad(name + " is empty");
    NameAddr a;
    if (s == "*") {
        if (!allow_star) return bad(name + " cannot be *");
        a.star = true;
        return a;
    }
    size_t lt = npos;  // where the <URI> starts, for a name-addr
    if (s[0] == '"') {
        size_t end = scan_quoted(s, 0);
        if (end == npos) return bad("unterminated quoted string in " + name + " display name");
        a.display_name = s.substr(0, end);
        lt = skip_ws(s, end);
        if (lt >= s.size() || s[lt] != '<')
            return bad(name + " display name " + excerpt(a.display_name) + " must be followed by a URI in <>");
    } else {
        lt = find_top_level(s, '<');
        if (lt != npos) {
            a.display_name = trim(s.substr(0, lt));
            for (char c : a.display_name)
                if (!is_token_char(c) && !is_ws(c))
                    return bad("non-token character " + describe_char(c) + " in unquoted " + name +
                               " display name '" + excerpt(a.display_name) + "' (it must be quoted)");
        }
    }
    size_t rest_at = 0;
    std::string label = name + " URI";
    if (lt != npos) {
        size_t gt = s.find('>', lt);
        if (gt == npos) return bad("missing '>' after the " + label + " in " + name);
        std::string_view inner = s.substr(lt + 1, gt - lt - 1);
        if (inner.empty()) return bad("empty <> in " + name);
        if (is_ws(inner.front()) || is_ws(inner.back()))
            return bad("whitespace inside <> around the " + label + " '" + excerpt(trim(inner)) + "'");
        auto uri = parse_uri(inner, label);
        if (!uri) return uri.error();
        a.uri = uri.value();
        a.bracketed = true;
        rest_at = gt + 1;
    } else {
        // addr-spec: the URI ends at the first ';' or whitespace, and parameters after it are
        // the header's (RFC 3261 20.10), which is why a URI with ';', '?' or ',' needs <>.
        size_t end = 0;
        while (end < s.size() && s[end] != ';' && !is_ws(s[end])) ++end;
        auto uri = parse_uri(s.substr(0, end), label);
        if (!uri) return uri.error();
        a.uri = uri.value();
        if (a.uri.is_sip() && !a.uri.headers.empty())
            return bad(label + " with headers (" + excerpt(a.uri.headers.raw()) + ") must be enclosed in <>");
        rest_at = end;
    }
    std::string_view rest = s.substr(rest_at);
    if (auto ok = check_params(rest, ParamStyle::header, name); !ok) return ok.error();
    a.params = Params(rest, ParamStyle::header);
    return a;
}

Result<std::vector<NameAddr>> read_list(const Message& m, HeaderId id, bool allow_star) {
    std::vector<NameAddr> out;
    for (size_t i = 0; i < m.header_count(); ++i) {
        Header h = m.header(i);
        if (h.id != id) continue;
        auto list = parse_name_addr_list(h.value, canonical_name(id), allow_star);
        if (!list) return list.error();
        out.insert(out.end(), list.value().begin(), list.value().end());
    }
    return out;
}

Result<NameAddr> read_single(const Message& m, HeaderId id) {
    auto h = m.find(id);
    if (!h) return make_error("sip_missing_header", "missing " + std::string(canonical_name(id)));
    return parse_name_addr(h->value, canonical_name(id));
}

}  // namespace

std::string NameAddr::display_name_text() const { return unquote(display_name); }

std::string_view NameAddr::tag() const {
    auto p = params.find("tag");
    return p ? p->value : std::string_view{};
}

Result<NameAddr> parse_name_addr(std::string_view value, std::string_view what) {
    return parse_one(value, what, false);
}

Result<std::vector<NameAddr>> parse_name_addr_list(std::string_view value, std::string_view what,
                                                   bool allow_star) {
    std::vector<NameAddr> out;
    std::string_view part;
    for (ValueSplitter it(value); it.next(part);) {
        if (part.empty()) return bad("empty element in the " + std::string(what) + " list");
        auto a = parse_one(part, what, allow_star);
        if (!a) return a.error();
        out.push_back(a.value());
    }
    if (out.size() > 1)
        for (const auto& a : out)
            if (a.star) return bad(std::string(what) + ": * must be the only value");
    return out;
}

Status check_name_addr_list(std::string_view value, std::string_view what, bool allow_star) {
    std::string_view part;
    size_t count = 0;
    bool star = false;
    for (ValueSplitter it(value); it.next(part); ++count) {
        if (part.empty()) return bad("empty element in the " + std::string(what) + " list");
        auto a = parse_one(part, what, allow_star);
        if (!a) return a.error();
        star = star || a.value().star;
    }
    if (star && count > 1) return bad(std::string(what) + ": * must be the only value");
    return Ok{};
}

Result<std::optional<uint32_t>> contact_expires(const NameAddr& contact) {
    auto p = contact.params.find("expires");
    if (!p) return std::optional<uint32_t>{};
    uint64_t v = 0;
    if (!parse_uint(p->value, 0xffffffffULL, v))
        return bad("Contact expires=" + excerpt(p->value) + " is not delta-seconds (0 to 4294967295)");
    return std::optional<uint32_t>(static_cast<uint32_t>(v));
}

Result<std::optional<int>> contact_q(const NameAddr& contact) {
    auto p = contact.params.find("q");
    if (!p) return std::optional<int>{};
    std::string_view v = p->value;
    auto invalid = [&] { return bad("Contact q=" + excerpt(v) + " is not a qvalue (0 to 1, up to three decimals)"); };
    if (v.empty() || (v[0] != '0' && v[0] != '1')) return invalid();
    int thousandths = (v[0] - '0') * 1000;
    if (v.size() > 1) {
        if (v[1] != '.' || v.size() > 5) return invalid();
        int scale = 100;
        for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
            if (!is_digit(v[i])) return invalid();
            thousandths += (v[i] - '0') * scale;
        }
        if (thousandths > 1000) return invalid();
    }
    return std::optional<int>(thousandths);
}

Result<NameAddr> read_from(const Message& m) { return read_single(m, HeaderId::from); }
Result<NameAddr> read_to(const Message& m) { return read_single(m, HeaderId::to); }
Result<std::vector<NameAddr>> read_contacts(const Message& m) { return read_list(m, HeaderId::contact, true); }
Result<std::vector<NameAddr>> read_route(const Message& m) { return read_list(m, HeaderId::route, false); }
Result<std::vector<NameAddr>> read_record_route(const Message& m) {
    return read_list(m, HeaderId::record_route, false);
}

}  // namespace sb::sip
