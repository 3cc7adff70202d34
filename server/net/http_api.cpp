// http_api.cpp: /chat, /sms/inbound, /api/audit and the /dev/* dispatch (see http_api.h).
#include "server/net/http_api.h"

#include <cctype>

#include <sodium.h>

#include "server/accounts/auth.h"  // token_hash
#include "contact/card.h"
#include "server/channels/sms_gateway.h"
#include "server/desk/desk_service.h"  // is_valid_utf8

namespace sbd {

using json = nlohmann::json;

// Never throws: a string that is not UTF-8 (nothing should reach here unchecked) comes out with
// U+FFFD instead of taking the request down with an exception.
ApiReply api_json(unsigned status, const json& body) {
    return ApiReply{status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

ApiReply api_error(unsigned status, const std::string& code, const std::string& message) {
    return api_json(status, {{"error", {{"code", code}, {"message", message}}}});
}

namespace {
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

bool is_loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

std::optional<ApiReply> HttpApi::handle(const ApiRequest& req) {
    bool get = req.method == "GET" || req.method == "HEAD";
    // The fake providers (an outbox that shows verification codes, a gateway that approves test
    // cards) are for the demo and the tests on this machine, never for anyone else.
    if (starts_with(req.path, "/dev/") && !is_loopback(req.remote_address))
        return ApiReply{404, "text/plain; charset=utf-8", "Not found.\n"};
    if (req.path == "/chat" || req.path == "/chat/") {
        if (!get) return api_error(405, "method_not_allowed", "GET /chat.");
        return ApiReply{200, "text/html; charset=utf-8", chat_page_html()};
    }
    if (req.path == "/chat/chat.js" || req.path == "/chat/chat.css") {
        if (!get) return api_error(405, "method_not_allowed", "GET " + req.path + ".");
        bool js = req.path == "/chat/chat.js";
        return ApiReply{200, js ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                        js ? chat_page_js() : chat_page_css()};
    }
    if (starts_with(req.path, "/telephony/")) {
        if (!telephony_secret_) return ApiReply{404, "text/plain; charset=utf-8", "Telephony is not enabled.\n"};
        return telephony(req);
    }
    if (req.path == "/api/audit" && audit_) {
        if (!get) return api_error(405, "method_not_allowed", "GET /api/audit.");
        return audit(req);
    }
    if (req.path == "/sms/inbound") {
        if (req.method != "POST") return api_error(405, "method_not_allowed", "POST /sms/inbound.");
        return sms_inbound(req);
    }
    if (starts_with(req.path, "/dev/"))  // loopback only (above): the fake providers (dev/)
        for (const DevHandler& handler : dev_)
            if (auto r = handler(req)) return r;
    return std::nullopt;
}

// ---- the SMS webhook's signature ---------------------------------------------------------------
std::string sms_signature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
    std::string t = std::to_string(unix_seconds);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(t.data()), t.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>("."), 1);
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return "t=" + t + ",v1=" + hex;
}

bool sms_signature_valid(std::string_view secret, std::string_view header, std::string_view body, int64_t now_s,
                         int64_t tolerance_s) {
    // t=<digits>,v1=<64 hex>
    if (header.size() > 128 || header.substr(0, 2) != "t=") return false;
    auto comma = header.find(",v1=");
    if (comma == std::string_view::npos || comma < 3 || comma > 14) return false;
    int64_t t = 0;
    for (char ch : header.substr(2, comma - 2)) {
        if (ch < '0' || ch > '9') return false;
        t = t * 10 + (ch - '0');
    }
    if (t < now_s - tolerance_s || t > now_s + tolerance_s) return false;  // a replay, or a clock far off
    std::string expected = sms_signature(secret, t, body);
    return expected.size() == header.size() && sodium_memcmp(expected.data(), header.data(), header.size()) == 0;
}

ApiReply HttpApi::sms_inbound(const ApiRequest& req) {
    if (!sms_secret_)
        return api_error(503, "not_configured",
                           "The SMS webhook needs --sms-webhook-secret-file; it takes only signed requests.");
    if (!req.sms_signature || !sms_signature_valid(*sms_secret_, *req.sms_signature, req.body, d_.now() / 1000)) {
        d_.log.limited(LogLevel::Warn, "sms inbound refused: bad signature", {{"address", req.remote_address}});
        return api_error(401, "bad_signature",
                           "Sign the request: X-Switchboard-Signature: t=<unix time>,v1=<HMAC-SHA256> (docs/sms.md).");
    }
    if (!starts_with(req.content_type, "application/x-www-form-urlencoded"))
        return api_error(415, "bad_message", "Send application/x-www-form-urlencoded (From, To, Body).");
    auto form = parse_form(req.body);
    if (!form) return api_error(400, "bad_message", "The form is malformed.");
    auto field = [&](const char* k) -> std::optional<std::string> {
        auto it = form->find(k);
        if (it == form->end()) return std::nullopt;
        return it->second;
    };
    auto from = field("From"), to = field("To"), body = field("Body");
    if (!from || !to || !body) return api_error(400, "bad_message", "From, To and Body are required.");
    int64_t wait = 0;
    if (!sms_per_number_.take(from->substr(0, 64), d_.now(), &wait)) {
        ApiReply r = api_error(429, "rate_limited", "Too many texts from this number; try again later.");
        d_.log.limited(LogLevel::Warn, "sms inbound rate limited", {{"wait_ms", wait}});
        return r;
    }
    for (const auto& [k, v] : *form) {
        if (!is_valid_utf8(k)) return api_error(400, "bad_message", "A field name is not valid UTF-8.");
        if (!is_valid_utf8(v)) return api_error(400, "bad_message", k + " is not valid UTF-8.");
    }
    auto r = d_.contacts.sms_inbound(*from, *to, *body, field("MessageSid"));
    if (!r) {
        const sb::Error& e = r.error();
        if (e.code == "internal") {
            d_.log.error("sms inbound failed", {{"error", e.message}});
            return api_error(500, "internal", "The server failed; try again.");
        }
        d_.log.limited(LogLevel::Info, "sms inbound refused", {{"code", e.code}, {"message", e.message}});
        return api_error(e.code == "wrong_state" ? 409 : e.code == "unknown_number" ? 404 : 400, e.code, e.message);
    }
    return api_json(200, {{"contact", r.value().contact.id}, {"message", r.value().message.id},
                            {"segments", r.value().message.segments.value_or(1)}});
}

// ---- GET /api/audit ----------------------------------------------------------------------------
ApiReply HttpApi::audit(const ApiRequest& req) {
    // Who: a live session of a supervisor.
    std::string_view auth = req.authorization ? std::string_view(*req.authorization) : std::string_view();
    std::string scheme(auth.substr(0, 7));
    for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auth.size() <= 7 || scheme != "bearer ")
        return api_error(401, "invalid_token", "Send Authorization: Bearer <session token> (a supervisor's).");
    std::string token(auth.substr(7));
    while (!token.empty() && token.front() == ' ') token.erase(token.begin());
    int64_t now = d_.now();
    auto session = sessions_->find_session(token_hash(token));
    if (!session) {
        d_.log.error("audit: session lookup failed", {{"error", session.error().message}});
        return api_error(500, "internal", "The server failed; try again.");
    }
    if (!session.value() || session.value()->revoked_at)
        return api_error(401, "invalid_token", "The token is unknown or was revoked; log in again.");
    if (now >= session.value()->expires_at)
        return api_error(401, "token_expired", "The token has expired; log in again.");
    const std::string& who = session.value()->agent;
    auto role = audit_->role_of(who);
    if (!role) {
        d_.log.error("audit: role lookup failed", {{"error", role.error().message}});
        return api_error(500, "internal", "The server failed; try again.");
    }
    if (role.value().value_or("") != "supervisor") {
        d_.log.info("audit refused", {{"username", who}, {"code", "forbidden"}});
        return api_error(403, "forbidden", "Only supervisors may read the audit log.");
    }
    // What: the filters.
    auto query = parse_form(req.query);
    if (!query) return api_error(400, "bad_message", "The query string is malformed.");
    for (const auto& [k, v] : *query)
        if (!is_valid_utf8(k) || !is_valid_utf8(v)) return api_error(400, "bad_message", "The query string is not UTF-8.");
    auto filter = audit_filter_from_query(*query);
    if (!filter) return api_error(400, filter.error().code, filter.error().message);
    auto page = audit_->query(filter.value());
    if (!page) {
        d_.log.error("audit query failed", {{"error", page.error().message}});
        return api_error(500, "internal", "The server failed; try again.");
    }
    d_.log.info("audit read", {{"username", who}, {"entries", page.value().entries.size()}});
    return api_json(200, to_json(page.value()));
}

}  // namespace sbd
