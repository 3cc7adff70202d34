// http_api.h: switchboardd's plain-HTTP endpoints besides static files: the customer chat page
// (GET /chat), the SMS webhook (POST /sms/inbound), Kamailio's questions (POST /telephony/*,
// telephony_api.cpp), the audit log for supervisors (GET /api/audit, docs/security.md) and, for
// loopback peers only, the /dev/* routes of whatever dev handlers were added (dev/: the fake SMS
// provider and payment gateway). Decides only; http_listener writes the response.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/admin/audit.h"
#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/net/rate_limit.h"
#include "server/net/trusted_proxies.h"
#include "server/store/contact_store.h"
#include "server/store/store.h"

namespace sbd {

struct ApiReply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
};

struct ApiRequest {
    std::string method;  // GET, HEAD, POST...
    std::string path;    // without the query
    std::string content_type;
    std::string body;
    std::string remote_address;    // the peer's IP address
    std::optional<std::string> telephony_secret;  // the X-Switchboard-Telephony header, if sent
    std::string query;                            // after the '?', still URL-encoded
    std::optional<std::string> authorization;     // the Authorization header, if sent
    std::optional<std::string> sms_signature;     // X-Switchboard-Signature (docs/sms.md), if sent
};

// A loopback peer (127.0.0.0/8, ::1): the telephony API and the fake providers answer only these.
bool is_loopback(const std::string& address);

// A JSON reply (never throws: text that is not UTF-8 comes out with U+FFFD), and an error one:
// {"error": {code, message}}.
ApiReply api_json(unsigned status, const nlohmann::json& body);
ApiReply api_error(unsigned status, const std::string& code, const std::string& message);

// Answers a /dev/* request, or nullopt when the path is not its own.
using DevHandler = std::function<std::optional<ApiReply>(const ApiRequest&)>;

// ---- the SMS webhook's signature (docs/sms.md, "Authentication") --------------------------------
// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the shared secret>`.
std::string sms_signature(std::string_view secret, int64_t unix_seconds, std::string_view body);
// Whether `header` signs `body` under `secret` at a time within `tolerance_s` of `now_s`.
bool sms_signature_valid(std::string_view secret, std::string_view header, std::string_view body, int64_t now_s,
                         int64_t tolerance_s = 300);

class HttpApi {
public:
    struct Deps {
        ContactService& contacts;
        ContactStore& store;
        Logger& log;
        Clock now;
    };
    explicit HttpApi(Deps deps) : d_(deps) {}
    // Turns on /telephony/* (telephony_api.cpp) for loopback peers, and those in `peers` (a
    // Kamailio on another machine), that send this secret.
    void set_telephony_secret(std::string secret, TrustedProxies peers = {}) {
        telephony_secret_ = std::move(secret);
        telephony_peers_ = std::move(peers);
    }
    // Turns on POST /sms/inbound for requests signed with this secret (without it the webhook
    // answers 503: nobody can post as a customer).
    void set_sms_webhook_secret(std::string secret) { sms_secret_ = std::move(secret); }
    // Turns on GET /api/audit: sessions are checked in `store`, entries read from `audit`.
    void enable_audit(Store& store, AuditLog& audit) {
        sessions_ = &store;
        audit_ = &audit;
    }

    // nullopt: not an API path (static files take it).
    std::optional<ApiReply> handle(const ApiRequest& req);
    // Serves /dev/* through `handler` too (asked in the order added; loopback peers only).
    void add_dev_handler(DevHandler handler) { dev_.push_back(std::move(handler)); }

private:
    ApiReply sms_inbound(const ApiRequest& req);
    // /telephony/route, /telephony/ended, /telephony/outbound (telephony_api.cpp)
    ApiReply telephony(const ApiRequest& req);
    // GET /api/audit?contact=&customer=&actor=&action=&since=&until=&limit=&before_id= with
    // Authorization: Bearer <session token> of a supervisor.
    ApiReply audit(const ApiRequest& req);

    Deps d_;
    std::vector<DevHandler> dev_;
    std::optional<std::string> telephony_secret_;
    TrustedProxies telephony_peers_;  // (only its address ranges: who may ask besides loopback)
    std::optional<std::string> sms_secret_;
    KeyedRateLimit sms_per_number_{RateSpec{0.5, 10}};  // inbound texts per From: 10, then one each 2 s
    Store* sessions_ = nullptr;
    AuditLog* audit_ = nullptr;
};

// The customer chat page (plain HTML) and its style and script, served beside it as files.
const std::string& chat_page_html();
const std::string& chat_page_css();  // GET /chat/chat.css
const std::string& chat_page_js();   // GET /chat/chat.js

}  // namespace sbd
