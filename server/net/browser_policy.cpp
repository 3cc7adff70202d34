// browser_policy.cpp: headers, CSP, the desk page's backends and the Origin check (see
// browser_policy.h).
#include "server/net/browser_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sbd {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

bool is_control_or_space(char ch) { return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f; }

// Characters that would end a CSP source, a directive or a policy, or an HTML attribute.
bool breaks_out(char ch) {
    return is_control_or_space(ch) || ch == ';' || ch == ',' || ch == '\'' || ch == '"' || ch == '<' ||
           ch == '>' || ch == '\\' || static_cast<unsigned char>(ch) >= 0x80;
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += ch;
        }
    }
    return out;
}

// A CSP source for a ws(s):// URL given on the command line: the URL itself (checked when the
// options were read), or nothing when it could break the header (nothing unchecked gets here).
void add_source(std::string& csp, std::string_view url) {
    if (url.empty() || std::any_of(url.begin(), url.end(), breaks_out)) return;
    csp += ' ';
    csp += url;
}

}  // namespace

// ---- headers -------------------------------------------------------------------------------------------
const HeaderList& common_headers() {
    static const HeaderList headers{{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}};
    return headers;
}

// ---- Content-Security-Policy ---------------------------------------------------------------------------
std::string content_security_policy(const BrowserPolicy& policy, Page page) {
    std::string csp = "default-src 'self'; script-src 'self'";
    if (page == Page::desk) csp += " 'wasm-unsafe-eval'";  // compiling switchboard.wasm; no eval of JS
    csp += "; connect-src 'self'";
    if (page == Page::desk) {
        for (const std::string& url : policy.desk_backends) add_source(csp, url);
        add_source(csp, policy.sip_ws_url);
    }
    csp += "; object-src 'none'; base-uri 'none'; frame-ancestors";
    bool any = false;
    for (const std::string& source : policy.frame_ancestors)
        if (check_frame_ancestor(source)) {
            csp += ' ' + source;
            any = true;
        }
    if (!any) csp += " 'none'";
    return csp;
}

// ---- desk page -----------------------------------------------------------------------------------------
std::string fill_desk_page(std::string html, const BrowserPolicy& policy) {
    if (policy.desk_backends.empty()) return html;
    auto at = html.find(kBackendsMeta);
    if (at == std::string::npos) return html;
    std::string list;
    for (const std::string& url : policy.desk_backends) {
        if (!list.empty()) list += ' ';
        list += url;
    }
    std::string filled = R"(<meta name="switchboard-backends" content=")" + html_escape(list) + "\">";
    html.replace(at, kBackendsMeta.size(), filled);
    return html;
}

// ---- origins -------------------------------------------------------------------------------------------
std::optional<std::string> normalize_origin(std::string_view s) {
    auto sep = s.find("://");
    if (sep == std::string_view::npos || sep == 0) return std::nullopt;
    std::string scheme = lower(s.substr(0, sep));
    if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss") return std::nullopt;
    std::string_view rest = s.substr(sep + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // "https://crm.example.com/" in a flag
    if (rest.empty() || rest.size() > 261) return std::nullopt;
    std::string_view host = rest, port;
    if (rest.front() == '[') {  // IPv6 literal
        auto close = rest.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = rest.substr(0, close + 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
        for (char ch : host.substr(1, host.size() - 2))
            if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != ':' && ch != '.') return std::nullopt;
    } else {
        auto colon = rest.find(':');
        if (colon != std::string_view::npos) {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
        }
        if (host.empty()) return std::nullopt;
        for (char ch : host)
            if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') return std::nullopt;
    }
    std::string out = scheme + "://" + lower(host);
    if (rest.find(':', host.size()) != std::string_view::npos || !port.empty()) {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
            return std::nullopt;
        bool default_port = ((scheme == "http" || scheme == "ws") && value == 80) ||
                            ((scheme == "https" || scheme == "wss") && value == 443);
        if (!default_port) out += ":" + std::to_string(value);
    }
    return out;
}

bool origin_allowed(const BrowserPolicy& policy, const std::optional<std::string_view>& origin, std::string_view host,
                    std::string_view scheme) {
    if (!origin) return true;  // not sent: not a page in a browser (the native bot, tools, tests)
    auto seen = normalize_origin(*origin);
    if (!seen) return false;  // "null" (a sandboxed frame, a file), or garbage
    if (auto own = normalize_origin(std::string(scheme) + "://" + std::string(host)); own && *own == *seen) return true;
    for (const std::string& allowed : policy.allowed_origins)
        if (auto a = normalize_origin(allowed); a && *a == *seen) return true;
    return false;
}

// ---- options -------------------------------------------------------------------------------------------
sb::Status check_desk_backend(std::string_view url) {
    if (url.rfind("ws://", 0) != 0 && url.rfind("wss://", 0) != 0)
        return sb::make_error("bad_option", "--desk-backend wants a ws:// or wss:// URL");
    for (char ch : url)
        if (breaks_out(ch) || ch == '?' || ch == '#')
            return sb::make_error("bad_option", "--desk-backend: a URL without spaces, quotes, ';', ',', '?' or '#'");
    auto scheme_end = url.find("://") + 3;
    auto path = url.find('/', scheme_end);
    if (!normalize_origin(url.substr(0, path))) return sb::make_error("bad_option", "--desk-backend: not a valid host");
    return sb::Ok{};
}

sb::Status check_frame_ancestor(std::string_view source) {
    auto bad = [&] {
        return sb::make_error("bad_option", "--frame-ancestors: '" + std::string(source.substr(0, 80)) +
                                                "' is not 'self', 'none', a scheme (https:) or a host "
                                                "(https://crm.example.com)");
    };
    if (source == "'self'" || source == "'none'") return sb::Ok{};
    if (source.empty() || source.size() > 255 || source.front() == '\'') return bad();
    for (char ch : source)
        if (breaks_out(ch)) return bad();
    for (char ch : source)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && std::string_view("-._~:/*[]%+").find(ch) == std::string_view::npos)
            return bad();
    return sb::Ok{};
}

}  // namespace sbd
