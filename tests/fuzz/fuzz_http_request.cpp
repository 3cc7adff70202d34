// fuzz_http_request: any bytes as what a client sends switchboardd over HTTP. They go through
// the listener's own parser limits (http_routes.h) and, when a request parses, through
// route_http over a real server stack: SQLite store with the demo data, contacts, the HTTP API
// (SMS webhook, telephony API with its secret, audit, the fake SMS provider and payment gateway)
// and static files from a web root. Invariants: no crash or sanitizer report, a status between
// 100 and 599, JSON replies that parse, and no file outside the web root ever served.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <nlohmann/json.hpp>

#include "server/desk/desk_hub.h"
#include "server/dev/fake_payment_gateway.h"
#include "server/dev/fake_sms_provider.h"
#include "server/net/http_api.h"
#include "server/net/http_routes.h"
#include "server_stack.h"

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

// The telephony API's secret: seeds carry it, so that the fuzzer starts past the check.
constexpr const char* kTelephonySecret = "fuzz-telephony-secret-0123456789";
constexpr const char* kOutsideMarker = "OUTSIDE-THE-WEB-ROOT";

// WebSocket upgrades are decided, never opened: nothing calls these.
struct NoFrames : sbd::FrameHandler {
    void open(sbd::ConnectionId, std::string) override {}
    void close(sbd::ConnectionId) override {}
    void on_message(sbd::ConnectionId, std::string_view, bool) override {}
    bool greeted(sbd::ConnectionId) const override { return true; }
    std::string internal_error_frame() const override { return "{}"; }
    Audience audience() const override { return Audience::customers; }
};

void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

struct Stack : sbfuzz::ServerStack {
    fs::path web_root;
    std::unique_ptr<sbd::HttpApi> api;
    std::unique_ptr<sbd::FakeSmsProvider> sms_provider;
    std::unique_ptr<sbd::FakePaymentGateway> gateway;
    NoFrames desk, chat;
    sbd::DeskHub hub;
    std::unique_ptr<sbd::HttpContext> context;

    Stack() : ServerStack("http") {
        web_root = dir / "web";
        write_file(web_root / "index.html", "<!doctype html><title>desk</title>");
        write_file(web_root / "switchboard.js", "console.log(1)");
        write_file(web_root / "fonts" / "inter.ttf", "font");
        write_file(dir / "secret.txt", kOutsideMarker);
        write_file(dir / "web-other" / "x.html", kOutsideMarker);
        api = std::make_unique<sbd::HttpApi>(sbd::HttpApi::Deps{*contacts, *contact_store, log, sbfuzz::now_ms});
        api->enable_audit(*store, *audit);
        sms_provider = std::make_unique<sbd::FakeSmsProvider>(*contact_store, sbfuzz::now_ms);
        gateway = std::make_unique<sbd::FakePaymentGateway>(sbfuzz::now_ms, [this] { return "fz" + std::to_string(++ids); });
        api->add_dev_handler([this](const sbd::ApiRequest& r) { return sms_provider->handle(r); });
        api->add_dev_handler([this](const sbd::ApiRequest& r) { return gateway->handle(r); });
        api->set_telephony_secret(kTelephonySecret);
        context = std::make_unique<sbd::HttpContext>(sbd::HttpContext{desk, hub, log, web_root, &chat, api.get()});
    }
};

Stack& stack() {
    static Stack s;
    return s;
}

[[noreturn]] void broken(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_http_request: %s: %s\n", what, detail.c_str());
    std::abort();
}

void check(const sbd::HttpRoute& route, Stack& s) {
    if (route.status < 100 || route.status > 599) broken("status out of range", std::to_string(route.status));
    switch (route.kind) {
    case sbd::HttpRoute::Kind::upgrade:
        if (route.handler != &s.desk && route.handler != &s.chat) broken("upgrade without a handler", route.log_path);
        return;
    case sbd::HttpRoute::Kind::file: {
        if (!route.file) broken("file route without a file", route.log_path);
        std::error_code ec;
        auto real = fs::weakly_canonical(*route.file, ec);
        auto root = fs::weakly_canonical(s.web_root, ec);
        auto rel = real.lexically_relative(root);
        if (rel.empty() || *rel.begin() == "..") broken("file outside the web root", route.file->string());
        std::ifstream in(real, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.find(kOutsideMarker) != std::string::npos) broken("served a file outside the web root", real.string());
        return;
    }
    case sbd::HttpRoute::Kind::reply:
        if (route.content_type.rfind("application/json", 0) == 0 && !nlohmann::json::accept(route.body))
            broken("a JSON reply that does not parse", route.body.substr(0, 200));
        if (route.body.find(kOutsideMarker) != std::string::npos) broken("a reply quotes a file outside the web root", route.log_path);
        return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Stack& s = stack();
    // The listener's read loop, without a socket: a keep-alive connection may carry several
    // requests; each gets a fresh parser with the same limits.
    boost::beast::flat_buffer buffer;
    if (size > 0) {
        auto in = buffer.prepare(size);
        std::memcpy(in.data(), data, size);
        buffer.commit(size);
    }
    for (int requests = 0; requests < 8 && buffer.size() > 0; ++requests) {
        http::request_parser<http::string_body> parser;
        sbd::limit_http_parser(parser);
        parser.eager(true);
        boost::beast::error_code ec;
        while (!parser.is_done()) {
            std::size_t n = parser.put(buffer.data(), ec);
            buffer.consume(n);
            // Beast's read loop calls put() again only once more bytes have arrived (calling it
            // again on the same bytes trips its assertions): the input is all there is, so the
            // connection would wait for more.
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec || n == 0) break;
        }
        // Over a limit: the listener answers 413 (body) or closes (header); garbage or an
        // incomplete request is closed without an answer. Nothing more is read either way.
        if (ec || !parser.is_done()) break;
        sbd::HttpRequest req = parser.release();
        check(sbd::route_http(req, "127.0.0.1", *s.context), s);
        s.io.poll();
        if (!req.keep_alive()) break;
    }
    return 0;
}
