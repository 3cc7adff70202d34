// Message: reading headers, building, and the wire form. The parser is in parse.cpp.
#include "sip/message.h"

#include "sip/grammar.h"
#include "sip/uri.h"

namespace sb::sip {

namespace {
Error build_error(std::string message) { return make_error("sip_bad_build", std::move(message)); }

Status check_value(std::string_view what, std::string_view value) {
    for (char c : value)
        if (c == '\r' || c == '\n' || c == '\0')
            return build_error(std::string(what) + " must not contain CR, LF or NUL");
    return Ok{};
}
}  // namespace

std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> out;
    std::string_view part;
    for (grammar::ValueSplitter it(value); it.next(part);) out.push_back(part);
    return out;
}

Result<Message> Message::request(std::string_view method, std::string_view request_uri) {
    if (!grammar::is_token(method)) return build_error("method '" + grammar::excerpt(method) + "' is not a token");
    auto uri = parse_uri(request_uri, "Request-URI");
    if (!uri) return build_error(uri.error().message);
    Message m;
    m.request_ = true;
    m.method_ = m.append(method);
    m.uri_ = m.append(request_uri);
    m.version_ = m.append("SIP/2.0");
    return m;
}

Result<Message> Message::response(int status, std::string_view reason) {
    if (status < 100 || status > 699) return build_error("status code " + std::to_string(status) + " out of range");
    if (auto ok = check_value("reason phrase", reason); !ok) return ok.error();
    Message m;
    m.request_ = false;
    m.status_ = status;
    m.version_ = m.append("SIP/2.0");
    m.reason_ = m.append(reason);
    return m;
}

Message::Span Message::append(std::string_view text) {
    Span s{static_cast<uint32_t>(buf_.size()), static_cast<uint32_t>(text.size())};
    buf_.append(text);
    return s;
}

Header Message::header(size_t index) const {
    const Entry& e = headers_[index];
    Header h{view(e.name), canonical_name(e.id), view(e.value), e.id};
    if (e.id == HeaderId::other) h.canonical = h.name;
    return h;
}

bool Message::matches(const Entry& e, HeaderId id, std::string_view name) const {
    if (id != HeaderId::other) return e.id == id;
    return e.id == HeaderId::other && grammar::iequals(view(e.name), name);
}

std::optional<Header> Message::find(std::string_view name) const {
    HeaderId id = header_id(name);
    for (size_t i = 0; i < headers_.size(); ++i)
        if (matches(headers_[i], id, name)) return header(i);
    return std::nullopt;
}

std::optional<Header> Message::find(HeaderId id) const {
    for (size_t i = 0; i < headers_.size(); ++i)
        if (headers_[i].id == id) return header(i);
    return std::nullopt;
}

size_t Message::count(HeaderId id) const {
    size_t n = 0;
    for (const auto& e : headers_) n += e.id == id;
    return n;
}

size_t Message::count(std::string_view name) const {
    HeaderId id = header_id(name);
    size_t n = 0;
    for (const auto& e : headers_) n += matches(e, id, name);
    return n;
}

std::vector<std::string_view> Message::values(HeaderId id) const {
    std::vector<std::string_view> out;
    if (id == HeaderId::other) return out;  // unknown headers are found by name
    bool list = is_list_header(id);
    for (const auto& e : headers_) {
        if (e.id != id) continue;
        if (!list) {
            out.push_back(view(e.value));
            continue;
        }
        std::string_view part;
        for (grammar::ValueSplitter it(view(e.value)); it.next(part);) out.push_back(part);
    }
    return out;
}

Status Message::add_entry(std::string_view name, std::string_view value, size_t index) {
    if (!grammar::is_token(name)) return build_error("header name '" + grammar::excerpt(name) + "' is not a token");
    if (auto ok = check_value("header " + std::string(name), value); !ok) return ok;
    Entry e;
    e.name = append(name);
    e.value = append(grammar::trim(value));
    e.id = header_id(name);
    headers_.insert(headers_.begin() + static_cast<std::ptrdiff_t>(index), e);
    return Ok{};
}

Status Message::add_header(std::string_view name, std::string_view value) {
    return add_entry(name, value, headers_.size());
}

Status Message::prepend_header(std::string_view name, std::string_view value) {
    return add_entry(name, value, 0);
}

Status Message::set_header(std::string_view name, std::string_view value) {
    HeaderId id = header_id(name);
    size_t first = headers_.size();
    for (size_t i = 0; i < headers_.size(); ++i)
        if (matches(headers_[i], id, name)) {
            first = i;
            break;
        }
    if (first == headers_.size()) return add_header(name, value);
    if (auto ok = check_value("header " + std::string(name), value); !ok) return ok;
    headers_[first].value = append(grammar::trim(value));
    for (size_t i = headers_.size(); i-- > first + 1;)
        if (matches(headers_[i], id, name)) headers_.erase(headers_.begin() + static_cast<std::ptrdiff_t>(i));
    return Ok{};
}

size_t Message::remove_header(std::string_view name) {
    HeaderId id = header_id(name);
    size_t before = headers_.size();
    std::erase_if(headers_, [&](const Entry& e) { return matches(e, id, name); });
    return before - headers_.size();
}

void Message::set_body(std::string_view body) { body_ = append(body); }

std::string Message::serialize() const {
    std::string length = std::to_string(body_.len);
    size_t size = buf_.size() + headers_.size() * 4 + 32;
    std::string out;
    out.reserve(size);
    if (request_) {
        out.append(method()).append(" ").append(uri()).append(" SIP/2.0\r\n");
    } else {
        out.append("SIP/2.0 ").append(std::to_string(status_)).append(" ").append(reason()).append("\r\n");
    }
    bool wrote_length = false;
    for (const auto& e : headers_) {
        std::string_view value = view(e.value);
        if (e.id == HeaderId::content_length) {
            if (wrote_length) continue;
            wrote_length = true;
            value = length;
        }
        out.append(view(e.name)).append(": ").append(value).append("\r\n");
    }
    if (!wrote_length) out.append("Content-Length: ").append(length).append("\r\n");
    out.append("\r\n").append(body());
    return out;
}

}  // namespace sb::sip
