// http_api.h: switchboardd's plain-HTTP endpoints besides static files: the customer chat page
// (GET /chat), the SMS webhook (POST /sms/inbound), Kamailio's questions (POST /telephony/*,
// telephony_api.cpp) and, with --fake-sms-provider, the recording
// SMS provider (POST /dev/sms-provider, GET /dev/sms-provider/outbox). Decides only;
// http_listener writes the response.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "contact_service.h"
#include "contact_store.h"
#include "log.h"

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
};

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

    // nullopt: not an API path (static files take it).
    std::optional<ApiReply> handle(const ApiRequest& req);

private:
    ApiReply sms_inbound(const ApiRequest& req);
    ApiReply provider_receive(const ApiRequest& req);
    // /telephony/route, /telephony/ended, /telephony/outbound (telephony_api.cpp)
    ApiReply telephony(const ApiRequest& req);

    Deps d_;
    bool fake_provider_;
    std::optional<std::string> telephony_secret_;
};

// The customer chat page (plain HTML, CSS and JS in one document).
const std::string& chat_page_html();

}  // namespace sbd
