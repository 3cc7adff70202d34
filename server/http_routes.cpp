// http_routes.cpp: one parsed request to one decision (see http_routes.h).
#include "http_routes.h"

#include <boost/beast/websocket.hpp>

#include "static_files.h"

namespace sbd {

namespace http = boost::beast::http;

namespace {

HttpRoute text(http::status status, std::string body) {
    HttpRoute r;
    r.status = static_cast<unsigned>(status);
    r.body = std::move(body);
    return r;
}

}  // namespace

HttpRoute route_http(const HttpRequest& req, const std::string& remote_address, HttpContext& context) {
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));

    if (boost::beast::websocket::is_upgrade(req)) {
        FrameHandler* handler = nullptr;
        if (path == "/desk") handler = &context.service;
        else if (path == "/chat/ws" && context.chat) handler = context.chat;
        if (!handler) return text(http::status::not_found, "WebSockets are served at /desk and /chat/ws.\n");
        HttpRoute r;
        r.kind = HttpRoute::Kind::upgrade;
        r.handler = handler;
        r.status = 101;
        r.log_path = std::string(path);
        return r;
    }
    if (path == "/desk" || path == "/chat/ws")
        return text(http::status::upgrade_required, std::string(path) + " is a WebSocket endpoint.\n");
    if (context.api) {
        ApiRequest api_req{std::string(req.method_string()), std::string(path),
                           std::string(req[http::field::content_type]), req.body(), remote_address, std::nullopt};
        if (auto h = req.find("X-Switchboard-Telephony"); h != req.end())
            api_req.telephony_secret = std::string(h->value());
        if (auto q = target.find('?'); q != std::string_view::npos) api_req.query = std::string(target.substr(q + 1));
        if (auto h = req.find(http::field::authorization); h != req.end())
            api_req.authorization = std::string(h->value());
        if (auto h = req.find("X-Switchboard-Signature"); h != req.end())
            api_req.sms_signature = std::string(h->value());
        if (auto reply = context.api->handle(api_req)) {
            HttpRoute r;
            r.status = reply->status;
            r.content_type = std::move(reply->content_type);
            r.cache_control = "no-store";
            r.body = std::move(reply->body);
            r.log_path = std::move(api_req.path);
            return r;
        }
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return text(http::status::method_not_allowed, "Only GET and HEAD.\n");

    StaticReply reply = serve_static(context.web_root, target);
    HttpRoute r;
    r.kind = reply.file ? HttpRoute::Kind::file : HttpRoute::Kind::reply;
    r.status = reply.status;
    r.content_type = std::move(reply.content_type);
    r.cache_control = std::move(reply.cache_control);
    r.body = std::move(reply.body);
    r.file = std::move(reply.file);
    r.log_path = std::string(path);
    return r;
}

}  // namespace sbd
