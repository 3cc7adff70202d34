// http_api.h: switchboardd's plain-HTTP endpoints besides static files: the customer chat page
// (GET /chat), the SMS webhook (POST /sms/inbound), Kamailio's questions (POST /telephony/*,
// telephony_api.cpp), the audit log for supervisors (GET /api/audit, docs/security.md) and, with
// --fake-sms-provider, the recording SMS provider (POST /dev/sms-provider, GET
// /dev/sms-provider/outbox). Decides only; http_listener writes the response.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "audit.h"
#include "contact_service.h"
#include "contact_store.h"
#include "log.h"
#include "rate_limit.h"
#include "store.h"

namespace sbd {

class PaymentService;  // payments.h

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
    HttpApi(Deps deps, bool fake_sms_provider) : d_(deps), fake_provider_(fake_sms_provider) {}
    // Turns on /telephony/* (telephony_api.cpp) for loopback peers that send this secret.
    void set_telephony_secret(std::string secret) { telephony_secret_ = std::move(secret); }
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
    // The fake payment gateway's routes (/dev/payment-gateway, payments.h) when it is enabled.
    void set_payments(PaymentService* payments) { payments_ = payments; }

private:
    ApiReply sms_inbound(const ApiRequest& req);
    ApiReply provider_receive(const ApiRequest& req);
    // /telephony/route, /telephony/ended, /telephony/outbound (telephony_api.cpp)
    ApiReply telephony(const ApiRequest& req);
    // GET /api/audit?contact=&customer=&actor=&action=&since=&until=&limit=&before_id= with
    // Authorization: Bearer <session token> of a supervisor.
    ApiReply audit(const ApiRequest& req);

    Deps d_;
    bool fake_provider_;
    std::optional<std::string> telephony_secret_;
    std::optional<std::string> sms_secret_;
    KeyedRateLimit sms_per_number_{RateSpec{0.5, 10}};  // inbound texts per From: 10, then one each 2 s
    Store* sessions_ = nullptr;
    AuditLog* audit_ = nullptr;
    PaymentService* payments_ = nullptr;
};

// The customer chat page (plain HTML) and its style and script, served beside it as files.
const std::string& chat_page_html();
const std::string& chat_page_css();  // GET /chat/chat.css
const std::string& chat_page_js();   // GET /chat/chat.js

}  // namespace sbd
