// http_routes.cpp: one parsed request to one decision (see http_routes.h).
#include "server/net/http_routes.h"

#include <fstream>
#include <iterator>

#include <boost/beast/websocket.hpp>

#include "server/net/static_files.h"
#include "util/text.h"

namespace sbd {

namespace http = boost::beast::http;

namespace {

HttpRoute text(http::status status, std::string body) {
    HttpRoute r;
    r.status = static_cast<unsigned>(status);
    r.body = std::move(body);
    return r;
}

// An HTML file of the web build (the desk's index.html), read to fill in the backends a desk page
// may use; nullopt when it cannot be read (the listener then answers 404 as for any file).
std::optional<std::string> read_page(const std::filesystem::path& file) {
    constexpr std::size_t kMaxPage = 1 << 20;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::string html;
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        html.append(buf, static_cast<std::size_t>(in.gcount()));
        if (html.size() > kMaxPage) return std::nullopt;
    }
    return html;
}

HttpRoute decide(const HttpRequest& req, const std::string& remote_address, HttpContext& context,
                 const BrowserPolicy& policy, std::string_view scheme);

}  // namespace

HttpRoute route_http(const HttpRequest& req, const std::string& remote_address, HttpContext& context,
                     std::string_view scheme) {
    static const BrowserPolicy kDefaults;  // own origin only, frame-ancestors 'self'
    const BrowserPolicy& policy = context.browser ? *context.browser : kDefaults;
    HttpRoute r = decide(req, remote_address, context, policy, scheme);
    // Every answer: browsers must not guess a type, and no URL (with its query) leaves in a Referer.
    r.headers.insert(r.headers.begin(), common_headers().begin(), common_headers().end());
    return r;
}

namespace {

HttpRoute decide(const HttpRequest& req, const std::string& remote_address, HttpContext& context,
                 const BrowserPolicy& policy, std::string_view scheme) {
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));

    if (context.health && context.health->cut_off) {
        HttpRoute r = text(http::status::service_unavailable,
                           "This node has lost its database; another node serves you meanwhile.\n");
        r.headers.emplace_back("Retry-After", "1");
        r.cache_control = "no-store";
        r.log_path = std::string(path);
        return r;
    }

    if (boost::beast::websocket::is_upgrade(req)) {
        FrameHandler* handler = nullptr;
        if (path == "/desk") handler = &context.service;
        else if (path == "/chat/ws" && context.chat) handler = context.chat;
        if (!handler) return text(http::status::not_found, "WebSockets are served at /desk and /chat/ws.\n");
        // A page from another site must not open a customer's chat or an agent's desk with the
        // visitor's browser (docs/security.md, "Browser"); clients that are not pages send no Origin.
        std::optional<std::string_view> origin;
        if (auto o = req.find(http::field::origin); o != req.end()) origin = std::string_view(o->value().data(), o->value().size());
        std::string_view host(req[http::field::host].data(), req[http::field::host].size());
        if (!origin_allowed(policy, origin, host, scheme)) {
            context.log.limited(LogLevel::Warn, "websocket refused: origin not allowed",
                                {{"path", std::string(path)}, {"origin", sb::text::quote(*origin, 200)},
                                 {"address", remote_address}});
            HttpRoute refused = text(http::status::forbidden,
                                     "This page's origin may not open " + std::string(path) +
                                         " (switchboardd --allowed-origin).\n");
            refused.log_path = std::string(path);
            return refused;
        }
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
            // The API's one HTML page is the customer's chat.
            if (reply->content_type.rfind("text/html", 0) == 0)
                r.headers.emplace_back("Content-Security-Policy", content_security_policy(policy, Page::chat));
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
    if (r.file && r.file->extension() == ".html") {
        // The desk's page: its policy, and the backends it may be sent to (browser_policy.h).
        r.headers.emplace_back("Content-Security-Policy", content_security_policy(policy, Page::desk));
        if (auto html = read_page(*r.file)) {
            r.kind = HttpRoute::Kind::reply;
            r.body = fill_desk_page(std::move(*html), policy);
            r.file.reset();
        }
    }
    return r;
}

}  // namespace

}  // namespace sbd
