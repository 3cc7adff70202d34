// The call recorder (server/telephony/recording.h): its bencode codec, and RtpengineRecorder speaking the
// ng protocol over UDP to a fake rtpengine on loopback (cookies, the commands it sends, answers
// with result=error, a lost datagram retried, no answer at all), with its state in a real SQLite
// database migrated to the current schema (kept across a new recorder, as after a restart).
#include <doctest/doctest.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/app/log.h"
#include "server/store/migrations.h"
#include "server/store/database.h"
#include "server/telephony/recording.h"
#include "temp_db.h"

using namespace sbd;
namespace asio = boost::asio;
using asio::ip::udp;

TEST_CASE("bencode: encodes with sorted keys and decodes what rtpengine sends") {
    bencode::Dict d{{"sdp", "v=0"}, {"command", "offer"}, {"flags", bencode::List{"trust-address", 5}}};
    CHECK(bencode::encode(bencode::Value(d)) == "d7:command5:offer5:flagsl13:trust-addressi5ee3:sdp3:v=0e");
    CHECK(bencode::encode(bencode::Value(int64_t{-42})) == "i-42e");
    CHECK(bencode::encode(bencode::Value("")) == "0:");

    auto v = bencode::decode("d6:result5:error12:error-reason15:Unknown call-id4:sizei12ee");
    REQUIRE(v.ok());
    CHECK(v.value().text("result") == "error");
    CHECK(v.value().text("error-reason") == "Unknown call-id");
    CHECK(!v.value().text("size"));  // an integer, not a string
    CHECK(*v.value().dict()->at("size").integer() == 12);

    auto nested = bencode::decode("ld1:ali1ei2eee4:spam");
    CHECK(!nested.ok());  // trailing data
    auto round = bencode::decode("ld1:ali1ei2eee4:spame");
    REQUIRE(round.ok());
    CHECK(bencode::encode(round.value()) == "ld1:ali1ei2eee4:spame");
    // Binary-safe strings.
    auto bin = bencode::decode(std::string("3:a\0b", 5));
    REQUIRE(bin.ok());
    CHECK(*bin.value().str() == std::string("a\0b", 3));
}

TEST_CASE("bencode: malformed input is an error, never a crash") {
    for (std::string bad : {"", "i", "ie", "i-0e", "i03e", "i1x2e", "5:abc", "-1:a", "l", "d", "d3:abce", "di1ei2ee",
                            "x", "99999999999999999999:a", "i99999999999999999999e", "4:abcde"}) {
        CAPTURE(bad);
        CHECK(!bencode::decode(bad).ok());
    }
    std::string deep(40, 'l');
    deep += std::string(40, 'e');
    CHECK(!bencode::decode(deep).ok());
    CHECK(bencode::decode(std::string(30, 'l') + std::string(30, 'e')).ok());
}

TEST_CASE("RtpengineRecorder::parse_address") {
    auto a = RtpengineRecorder::parse_address("udp:127.0.0.1:2223");
    REQUIRE(a.ok());
    CHECK(a.value().host == "127.0.0.1");
    CHECK(a.value().port == 2223);
    for (std::string bad : {"127.0.0.1:2223", "udp:127.0.0.1", "udp::2223", "udp:127.0.0.1:0", "udp:127.0.0.1:70000",
                            "tcp:127.0.0.1:2223", "udp:a b:1"}) {
        CAPTURE(bad);
        CHECK(!RtpengineRecorder::parse_address(bad).ok());
    }
}

namespace {

using test::TempDb;

// A fake rtpengine: answers each request with `reply(command dictionary)`, or drops it when
// that returns nothing. Records every request it got.
struct FakeRtpengine {
    asio::io_context& io;
    udp::socket socket;
    std::vector<std::pair<std::string, bencode::Value>> got;  // cookie, body
    std::function<std::optional<std::string>(const bencode::Value&, int n)> reply;
    std::array<char, 65536> buf{};
    udp::endpoint from;
    explicit FakeRtpengine(asio::io_context& io_) : io(io_), socket(io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        receive();
    }
    uint16_t port() const { return socket.local_endpoint().port(); }
    void receive() {
        socket.async_receive_from(asio::buffer(buf), from, [this](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            std::string d(buf.data(), n);
            auto sp = d.find(' ');
            REQUIRE(sp != std::string::npos);
            auto body = bencode::decode(std::string_view(d).substr(sp + 1));
            REQUIRE(body.ok());
            std::string cookie = d.substr(0, sp);
            got.emplace_back(cookie, body.value());
            auto answer = reply ? reply(body.value(), static_cast<int>(got.size())) : std::optional<std::string>("d6:result2:oke");
            if (answer) socket.send_to(asio::buffer(cookie + " " + *answer), from);
            receive();
        });
    }
};

struct Rig {
    asio::io_context io;
    TempDb tmp;
    Logger log{LogLevel::Error};
    FakeRtpengine rtpengine{io};
    int64_t clock = 1000;
    std::vector<std::string> changes;  // "contact=state" at every change
    std::unique_ptr<RtpengineRecorder> recorder;
    Rig() { make(); }
    void make() {
        RtpengineRecorder::Config c;
        c.port = rtpengine.port();
        c.timeout_ms = 150;
        recorder = std::make_unique<RtpengineRecorder>(io, *tmp.db, log, [this] { return clock; }, c);
        REQUIRE(recorder->load().ok());
        recorder->on_change([this](const std::string& contact) { changes.push_back(contact + "=" + std::string(to_string(recorder->state(contact)))); });
    }
    // Runs until `done` was called; its status.
    sb::Status run(std::function<void(std::function<void(sb::Status)>)> op) {
        std::optional<sb::Status> result;
        bool synchronous = true;
        op([&](sb::Status st) {
            CHECK(!result);  // exactly once
            CHECK(!synchronous);
            result = st;
        });
        synchronous = false;
        io.restart();
        while (!result && io.run_one_for(std::chrono::seconds(3))) {}
        REQUIRE(result);
        return *result;
    }
};

}  // namespace

TEST_CASE("RtpengineRecorder: pause and resume are stop/start recording for the call's Call-ID") {
    Rig r;
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Off);
    r.recorder->call_started("c-1", "abc@host");
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::On);
    CHECK(r.changes == std::vector<std::string>{"c-1=on"});

    auto st = r.run([&](auto done) { r.recorder->pause("c-1", done); });
    CHECK(st.ok());
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Paused);
    REQUIRE(r.rtpengine.got.size() == 1);
    CHECK(r.rtpengine.got[0].second.text("command") == "stop recording");
    CHECK(r.rtpengine.got[0].second.text("call-id") == "abc@host");
    CHECK(r.changes == std::vector<std::string>{"c-1=on", "c-1=pausing", "c-1=paused"});

    // Paused already: Ok without asking rtpengine.
    CHECK(r.run([&](auto done) { r.recorder->pause("c-1", done); }).ok());
    CHECK(r.rtpengine.got.size() == 1);

    CHECK(r.run([&](auto done) { r.recorder->resume("c-1", done); }).ok());
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::On);
    REQUIRE(r.rtpengine.got.size() == 2);
    CHECK(r.rtpengine.got[1].second.text("command") == "start recording");
    CHECK(r.rtpengine.got[0].first != r.rtpengine.got[1].first);  // a cookie per request

    // A contact without a call.
    auto none = r.run([&](auto done) { r.recorder->pause("c-2", done); });
    CHECK(!none.ok());
    CHECK(none.error().code == "not_recording");

    r.recorder->call_ended("c-1");
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Off);
    CHECK(r.changes.back() == "c-1=off");
}

TEST_CASE("RtpengineRecorder: result=error fails and leaves the state as it was") {
    Rig r;
    r.rtpengine.reply = [](const bencode::Value&, int) {
        return std::optional<std::string>("d12:error-reason15:Unknown call-id6:result5:errore");
    };
    r.recorder->call_started("c-1", "gone@host");
    auto st = r.run([&](auto done) { r.recorder->pause("c-1", done); });
    REQUIRE(!st.ok());
    CHECK(st.error().code == "recorder_error");
    CHECK(st.error().message.find("Unknown call-id") != std::string::npos);
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::On);
    CHECK(r.changes == std::vector<std::string>{"c-1=on", "c-1=pausing", "c-1=on"});
}

TEST_CASE("RtpengineRecorder: a lost request is sent again with the same cookie; no answer at all is an error") {
    Rig r;
    r.rtpengine.reply = [](const bencode::Value&, int n) -> std::optional<std::string> {
        if (n == 1) return std::nullopt;  // the first datagram is lost
        return std::string("d6:result2:oke");
    };
    r.recorder->call_started("c-1", "x@y");
    CHECK(r.run([&](auto done) { r.recorder->pause("c-1", done); }).ok());
    REQUIRE(r.rtpengine.got.size() == 2);
    CHECK(r.rtpengine.got[0].first == r.rtpengine.got[1].first);
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Paused);

    r.rtpengine.reply = [](const bencode::Value&, int) -> std::optional<std::string> { return std::nullopt; };
    auto st = r.run([&](auto done) { r.recorder->resume("c-1", done); });
    REQUIRE(!st.ok());
    CHECK(st.error().code == "recorder_unavailable");
    CHECK(r.rtpengine.got.size() == 4);  // two attempts
    // rtpengine may have resumed or not: unknown, never taken as paused.
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Unknown);
    // The next command settles it (stop recording is idempotent at rtpengine).
    r.rtpengine.reply = [](const bencode::Value&, int) -> std::optional<std::string> { return std::string("d6:result2:oke"); };
    CHECK(r.run([&](auto done) { r.recorder->pause("c-1", done); }).ok());
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Paused);
    // rtpengine refusing (result=error) changed nothing: the state stays as it was.
    r.rtpengine.reply = [](const bencode::Value&, int) -> std::optional<std::string> {
        return std::string("d6:result5:error12:error-reason15:Unknown call-ide");
    };
    auto refused = r.run([&](auto done) { r.recorder->resume("c-1", done); });
    REQUIRE(!refused.ok());
    CHECK(refused.error().code == "recorder_error");
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Paused);
}

TEST_CASE("RtpengineRecorder: a second change while one is out is refused; the call ending meanwhile wins") {
    Rig r;
    r.recorder->call_started("c-1", "x@y");
    std::optional<sb::Status> first;
    r.recorder->pause("c-1", [&](sb::Status st) { first = st; });
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Pausing);
    auto second = r.run([&](auto done) { r.recorder->resume("c-1", done); });
    CHECK(!second.ok());
    CHECK(second.error().code == "recording_busy");
    r.recorder->call_ended("c-1");
    while (!first && r.io.run_one_for(std::chrono::seconds(3))) {}
    REQUIRE(first);
    CHECK(!first->ok());
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Off);
}

TEST_CASE("RtpengineRecorder: a new recorder on the same database knows the calls and their states") {
    Rig r;
    r.recorder->call_started("c-1", "one@host");
    r.recorder->call_started("c-2", "two@host");
    CHECK(r.run([&](auto done) { r.recorder->pause("c-2", done); }).ok());
    // A transferred caller: a new Call-ID replaces the old one, recorded from its offer.
    r.recorder->call_started("c-1", "one-again@host");
    r.recorder->call_started("c-3", "three@host");
    r.recorder->call_ended("c-3");
    r.make();
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::On);
    CHECK(r.recorder->call_id("c-1") == "one-again@host");
    CHECK(r.recorder->state("c-2") == sb::contact::RecordingState::Paused);
    CHECK(r.recorder->call_id("c-2") == "two@host");
    CHECK(r.recorder->state("c-3") == sb::contact::RecordingState::Off);
    CHECK(r.run([&](auto done) { r.recorder->resume("c-2", done); }).ok());
    CHECK(r.rtpengine.got.back().second.text("call-id") == "two@host");
}

TEST_CASE("RtpengineRecorder: stop() fails what is out and lets the io_context finish") {
    Rig r;
    r.rtpengine.reply = [](const bencode::Value&, int) -> std::optional<std::string> { return std::nullopt; };
    r.recorder->call_started("c-1", "x@y");
    std::optional<sb::Status> result;
    r.recorder->pause("c-1", [&](sb::Status st) { result = st; });
    r.recorder->stop();
    r.rtpengine.socket.close();
    r.io.restart();
    r.io.run_for(std::chrono::seconds(3));  // returns early: nothing is left to wait for
    REQUIRE(result);
    CHECK(!result->ok());
    CHECK(r.recorder->state("c-1") == sb::contact::RecordingState::Unknown);  // the pause may or may not have happened
    CHECK(r.io.stopped());
}
