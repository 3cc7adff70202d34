// DeskConnection's limits (server/net/desk_connection.h), over a real loopback socket with small
// kernel buffers: a peer that never reads gets its connection's reads paused, then closed when
// the outbox passes its cap or a write outlasts the write timeout; a handler that throws costs one
// `internal` reply and the connection goes on; a connection without its first request in time is
// closed with 1008; frames are read no faster than the connection's rate.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "server/app/log.h"
#include "server/desk/desk_hub.h"
#include "server/net/desk_connection.h"

using namespace sbd;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

namespace {

// A FrameHandler whose behaviour each test sets.
struct StubHandler : FrameHandler {
    std::function<void(ConnectionId, std::string_view)> on_frame;
    bool greeting_done = true;
    std::atomic<int> handled{0};
    std::atomic<bool> closed{false};
    ConnectionId last_id = 0;
    void open(ConnectionId id, std::string) override { last_id = id; }
    void close(ConnectionId) override { closed = true; }
    void on_message(ConnectionId id, std::string_view payload, bool) override {
        ++handled;
        if (on_frame) on_frame(id, payload);
    }
    bool greeted(ConnectionId) const override { return greeting_done; }
    std::string internal_error_frame() const override { return R"({"type":"error","code":"internal"})"; }
    Audience audience() const override { return Audience::customers; }
};

// One server-side DeskConnection on loopback and a Beast client in a thread of its own, both
// sockets with small kernel buffers so that a client that does not read is felt at once.
struct Pair {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    asio::io_context client_io;
    websocket::stream<tcp::socket, false> client{client_io};  // no permessage-deflate, as the server
    DeskHub hub;
    Logger log{LogLevel::Error};
    StubHandler handler;
    WebSocketLimits limits;
    std::shared_ptr<DeskConnection> connection;

    void connect() {
        auto endpoint = acceptor.local_endpoint();
        std::thread t([&] {
            client.next_layer().open(tcp::v4());
            client.next_layer().set_option(asio::socket_base::receive_buffer_size(4096));
            client.next_layer().connect(endpoint);
            client.handshake("127.0.0.1", "/desk");
        });
        tcp::socket s = acceptor.accept();
        s.set_option(asio::socket_base::send_buffer_size(4096));
        beast::tcp_stream stream(std::move(s));
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> req;
        beast::http::read(stream, buffer, req);
        connection = std::make_shared<DeskConnection>(std::move(stream), std::nullopt, "127.0.0.1", handler, hub, log,
                                                      limits);
        connection->start(std::move(req));
        while (!handler.last_id) io.run_one_for(std::chrono::milliseconds(50));
        t.join();
    }
    // Runs the server's loop until `done` or the deadline; true if done.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            io.run_for(std::chrono::milliseconds(10));
        }
        return true;
    }
    // A masked client text frame of under 126 bytes, written on the raw socket (so that one
    // thread can write while another drains, which a Beast stream does not allow).
    static std::string client_frame(const std::string& payload) {
        std::string f;
        f += static_cast<char>(0x81);
        f += static_cast<char>(0x80 | payload.size());
        const char mask[4] = {1, 2, 3, 4};
        f.append(mask, 4);
        for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
        return f;
    }
    std::string read_text() {
        beast::flat_buffer b;
        client.read(b);
        return beast::buffers_to_string(b.data());
    }
};

}  // namespace

TEST_CASE("websocket: a peer that never reads is closed once its outbox passes the cap") {
    Pair p;
    p.limits.outbox_pause_bytes = 16 * 1024;
    p.limits.outbox_max_bytes = 64 * 1024;
    p.limits.shutdown_grace = std::chrono::milliseconds(200);
    p.connect();
    // Events for this peer pile up (the client thread never reads).
    std::string event(1024, 'e');
    for (int i = 0; i < 2000 && !p.handler.closed; ++i) {
        p.hub.send(p.handler.last_id, event);
        if (i % 50 == 0) p.io.poll();
    }
    CHECK(p.run_until([&] { return p.handler.closed.load(); }));
}

TEST_CASE("websocket: reads pause while replies wait, and resume once the peer reads") {
    Pair p;
    p.limits.outbox_pause_bytes = 16 * 1024;
    p.limits.outbox_max_bytes = 64 * 1024 * 1024;  // never reached here
    p.limits.anonymous_rate = {100000, 100000};
    std::string reply(2048, 'r');
    p.handler.on_frame = [&](ConnectionId id, std::string_view) { p.hub.send(id, reply); };
    p.connect();
    constexpr int kSent = 1000;
    tcp::socket& raw = p.client.next_layer();
    std::thread sender([&] {
        std::string frame = Pair::client_frame("x");
        beast::error_code ec;
        for (int i = 0; i < kSent && !ec; ++i) asio::write(raw, asio::buffer(frame), ec);
    });
    p.run_until([] { return false; }, std::chrono::milliseconds(1500));
    int handled_while_not_reading = p.handler.handled;
    // 1000 requests sent, 2 MB of replies owed: the server read only what its outbox and the
    // small kernel buffers hold, instead of queueing every reply.
    CHECK(handled_while_not_reading < 200);
    CHECK(handled_while_not_reading > 0);
    const std::size_t expected = kSent * (reply.size() + 4);  // 4: a server frame's header here
    std::atomic<std::size_t> received{0};
    std::thread reader([&] {
        beast::error_code ec;
        char buf[65536];
        while (received < expected && !ec) received += raw.read_some(asio::buffer(buf), ec);
    });
    CHECK(p.run_until([&] { return received.load() >= expected; }, std::chrono::seconds(10)));
    CHECK(p.handler.handled == kSent);
    if (received < expected) {  // failed: unblock the threads
        beast::error_code ignored;
        raw.shutdown(tcp::socket::shutdown_both, ignored);
    }
    sender.join();
    reader.join();
}

TEST_CASE("websocket: a write that outlasts the write timeout ends the connection") {
    Pair p;
    p.limits.outbox_pause_bytes = 64 * 1024 * 1024;
    p.limits.outbox_max_bytes = 64 * 1024 * 1024;
    p.limits.write_timeout = std::chrono::milliseconds(300);
    p.connect();
    std::string event(8192, 'e');
    for (int i = 0; i < 200; ++i) p.hub.send(p.handler.last_id, event);  // 1.6 MB, never read
    auto start = std::chrono::steady_clock::now();
    CHECK(p.run_until([&] { return p.handler.closed.load(); }));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("websocket: a handler that throws costs one internal reply; the connection goes on") {
    Pair p;
    p.handler.on_frame = [&](ConnectionId id, std::string_view payload) {
        if (payload == "boom") throw std::runtime_error("a bug");
        p.hub.send(id, "pong");
    };
    p.connect();
    std::vector<std::string> got;
    std::thread t([&] {
        p.client.write(asio::buffer(std::string("boom")));
        p.client.write(asio::buffer(std::string("ping")));
        got.push_back(p.read_text());
        got.push_back(p.read_text());
    });
    p.run_until([&] { return p.handler.handled == 2; });
    p.run_until([] { return false; }, std::chrono::milliseconds(200));
    t.join();
    REQUIRE(got.size() == 2);
    CHECK(got[0] == R"({"type":"error","code":"internal"})");
    CHECK(got[1] == "pong");
    CHECK(!p.handler.closed);
}

TEST_CASE("websocket: no first request within the greeting timeout closes with 1008") {
    Pair p;
    p.handler.greeting_done = false;
    p.limits.greeting_timeout = std::chrono::milliseconds(200);
    p.connect();
    std::optional<websocket::close_reason> reason;
    std::thread t([&] {
        beast::flat_buffer b;
        beast::error_code ec;
        p.client.read(b, ec);
        if (ec == websocket::error::closed) reason = p.client.reason();
    });
    CHECK(p.run_until([&] { return p.handler.closed.load(); }));
    t.join();
    REQUIRE(reason);
    CHECK(reason->code == websocket::close_code::policy_error);
}

TEST_CASE("websocket: frames are read no faster than the connection's rate") {
    Pair p;
    p.limits.anonymous_rate = {20, 5};
    p.connect();
    std::thread t([&] {
        for (int i = 0; i < 40; ++i) p.client.write(asio::buffer(std::string("x")));
    });
    p.run_until([] { return false; }, std::chrono::milliseconds(500));
    int in_half_a_second = p.handler.handled;
    CHECK(in_half_a_second >= 5);
    CHECK(in_half_a_second <= 5 + 10 + 2);  // the burst, then 20/s
    // A logged-in connection gets the higher rate.
    p.connection->authenticated();
    CHECK(p.run_until([&] { return p.handler.handled == 40; }, std::chrono::seconds(3)));
    t.join();
}

TEST_CASE("websocket: a connection waiting its turn in the anonymous budget is held, not dropped") {
    Pair p;
    p.limits.greeting_timeout = std::chrono::milliseconds(100);
    AnonymousPacer pacer(p.io.get_executor(), {2, 1});  // one at once, then one each 500 ms
    p.limits.anonymous_pacer = &pacer;
    p.connect();
    // Nothing but the connection's own operations holds it now, as in the server.
    std::weak_ptr<DeskConnection> weak = p.connection;
    p.connection.reset();
    std::thread t([&] {
        for (int i = 0; i < 3; ++i) p.client.write(asio::buffer(std::string("x")));
    });
    // The first frame goes at once; the second waits in the pacer's queue, with no read pending,
    // while the greeting timer (the last of its other operations) ends.
    p.run_until([] { return false; }, std::chrono::milliseconds(300));
    CHECK_FALSE(weak.expired());
    CHECK_FALSE(p.handler.closed);
    CHECK(p.run_until([&] { return p.handler.handled == 3; }, std::chrono::seconds(5)));
    t.join();
    CHECK_FALSE(weak.expired());
    // Its next read waits its turn again. Closed meanwhile (the server stopping, say), it is freed
    // once the close is done, not kept until its turn would have come: the pacer holds it weakly.
    CHECK(pacer.waiting() == 1);
    if (auto c = weak.lock()) c->close_going_away();
    CHECK(p.run_until([&] { return weak.expired(); }, std::chrono::seconds(5)));
    CHECK(p.handler.closed);
}

// ---- the same connection over TLS (wss://) --------------------------------------------------------
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace {

// A throwaway self-signed P-256 certificate for the server side, as PEM.
struct TestCert {
    std::string cert_pem, key_pem;
    TestCert() {
        EVP_PKEY* key = EVP_EC_gen("P-256");
        X509* x = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509_sign(x, key, EVP_sha256());
        auto to_pem = [](auto write) {
            BIO* b = BIO_new(BIO_s_mem());
            write(b);
            char* data = nullptr;
            long n = BIO_get_mem_data(b, &data);
            std::string out(data, static_cast<std::size_t>(n));
            BIO_free(b);
            return out;
        };
        cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
        key_pem = to_pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
        X509_free(x);
        EVP_PKEY_free(key);
    }
};

// Pair's TLS twin: a TlsDeskConnection on the server side, a wss:// Beast client in a thread.
struct TlsPair {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    TestCert cert;
    asio::ssl::context server_ctx{asio::ssl::context::tls_server};
    asio::ssl::context client_ctx{asio::ssl::context::tls_client};
    asio::io_context client_io;
    websocket::stream<beast::ssl_stream<tcp::socket>, false> client{client_io, client_ctx};
    DeskHub hub;
    Logger log{LogLevel::Error};
    StubHandler handler;
    WebSocketLimits limits;
    std::shared_ptr<TlsDeskConnection> connection;

    TlsPair() {
        server_ctx.use_certificate_chain(asio::buffer(cert.cert_pem));
        server_ctx.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
        client_ctx.set_verify_mode(asio::ssl::verify_none);  // this is about the connection, not trust
    }

    void connect() {
        auto endpoint = acceptor.local_endpoint();
        std::thread t([&] {
            auto& raw = beast::get_lowest_layer(client);
            raw.open(tcp::v4());
            raw.set_option(asio::socket_base::receive_buffer_size(4096));
            raw.connect(endpoint);
            client.next_layer().handshake(asio::ssl::stream_base::client);
            client.handshake("127.0.0.1", "/desk");
        });
        tcp::socket s = acceptor.accept();
        s.set_option(asio::socket_base::send_buffer_size(4096));
        TlsStream stream(beast::tcp_stream(std::move(s)), server_ctx);
        stream.handshake(asio::ssl::stream_base::server);
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> req;
        beast::http::read(stream, buffer, req);
        connection = std::make_shared<TlsDeskConnection>(std::move(stream), std::nullopt, "127.0.0.1", handler, hub,
                                                         log, limits);
        connection->start(std::move(req));
        while (!handler.last_id) io.run_one_for(std::chrono::milliseconds(50));
        t.join();
    }
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            io.run_for(std::chrono::milliseconds(10));
        }
        return true;
    }
    std::string read_text() {
        beast::flat_buffer b;
        client.read(b);
        return beast::buffers_to_string(b.data());
    }
};

}  // namespace

TEST_CASE("websocket over TLS: a peer that never reads is closed once its outbox passes the cap") {
    TlsPair p;
    p.limits.outbox_pause_bytes = 16 * 1024;
    p.limits.outbox_max_bytes = 64 * 1024;
    p.limits.shutdown_grace = std::chrono::milliseconds(200);
    p.connect();
    std::string event(1024, 'e');
    for (int i = 0; i < 2000 && !p.handler.closed; ++i) {
        p.hub.send(p.handler.last_id, event);
        if (i % 50 == 0) p.io.poll();
    }
    CHECK(p.run_until([&] { return p.handler.closed.load(); }));
}

TEST_CASE("websocket over TLS: frames both ways, a throwing handler costs one reply, and 1008 closes cleanly") {
    TlsPair p;
    p.handler.greeting_done = false;
    p.limits.greeting_timeout = std::chrono::milliseconds(800);
    p.handler.on_frame = [&](ConnectionId id, std::string_view payload) {
        if (payload == "boom") throw std::runtime_error("a bug");
        p.hub.send(id, "pong");
    };
    p.connect();
    std::vector<std::string> got;
    std::optional<websocket::close_reason> reason;
    std::thread t([&] {
        p.client.write(asio::buffer(std::string("boom")));
        p.client.write(asio::buffer(std::string("ping")));
        got.push_back(p.read_text());
        got.push_back(p.read_text());
        beast::flat_buffer b;
        beast::error_code ec;
        p.client.read(b, ec);  // the greeting timeout's close (this stub is never greeted)
        if (ec == websocket::error::closed) reason = p.client.reason();
    });
    CHECK(p.run_until([&] { return p.handler.closed.load(); }));
    t.join();
    REQUIRE(got.size() == 2);
    CHECK(got[0] == R"({"type":"error","code":"internal"})");
    CHECK(got[1] == "pong");
    REQUIRE(reason);
    CHECK(reason->code == websocket::close_code::policy_error);
}
