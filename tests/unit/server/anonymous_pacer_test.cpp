// anonymous_pacer_test.cpp: the budget all anonymous WebSockets share (server/net/anonymous_pacer.h).
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/net/anonymous_pacer.h"

namespace {
constexpr auto kChat = sbd::FrameHandler::Audience::customers;
constexpr auto kDesk = sbd::FrameHandler::Audience::agents;
}  // namespace

TEST_CASE("the anonymous budget: a burst at once, then waiters in order of asking, at the rate") {
    boost::asio::io_context io;
    // 1 every 100 ms, 3 at once: slow enough that no token can come back while the test queues its
    // waiters, however slowly a sanitizer build on a busy machine runs those few lines (at 1 a ms
    // a single preemption refilled one, and the first waiter went straight through).
    sbd::AnonymousPacer pacer(io.get_executor(), {10, 3});
    auto alive = std::make_shared<int>(0);
    for (int i = 0; i < 3; ++i) CHECK(pacer.admit(kChat, alive, [] { FAIL("the burst goes straight through"); }));
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) CHECK_FALSE(pacer.admit(kChat, alive, [&order, i] { order.push_back(i); }));
    CHECK(pacer.waiting() == 5);
    // While some wait, a newcomer queues behind them even if a token came back meanwhile.
    CHECK_FALSE(pacer.admit(kChat, alive, [&order] { order.push_back(99); }));
    auto start = std::chrono::steady_clock::now();
    io.run_for(std::chrono::milliseconds(2000));
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 99});
    CHECK(pacer.waiting() == 0);
    // Six frames at one each 100 ms took at least about half a second.
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(450));
}

TEST_CASE("the anonymous budget: a connection gone while waiting takes nothing") {
    boost::asio::io_context io;
    sbd::AnonymousPacer pacer(io.get_executor(), {10, 1});  // slow, as above: nothing refills meanwhile
    auto keep = std::make_shared<int>(0);
    CHECK(pacer.admit(kChat, keep, [] {}));
    bool gone_resumed = false, kept_resumed = false;
    {
        auto gone = std::make_shared<int>(0);
        CHECK_FALSE(pacer.admit(kChat, gone, [&] { gone_resumed = true; }));
    }
    CHECK_FALSE(pacer.admit(kChat, keep, [&] { kept_resumed = true; }));
    io.run_for(std::chrono::milliseconds(1000));
    CHECK_FALSE(gone_resumed);
    CHECK(kept_resumed);
}

// ---- the time share, on a hand-held clock --------------------------------------------------------
namespace {
// A count that never binds (so that only the time decides), half the thread, 10 ms at once.
struct TimeBound {
    boost::asio::io_context io;
    int64_t now_us = 1'000'000;
    sbd::AnonymousPacer pacer{io.get_executor(), {1e6, 1e6}, {0.5, std::chrono::milliseconds(10)},
                              [this] { return now_us; }};
    std::shared_ptr<int> alive = std::make_shared<int>(0);
};
}  // namespace

TEST_CASE("the anonymous budget: frames that took the thread's time make the next ones wait it off") {
    TimeBound t;
    CHECK(t.pacer.admit(kChat, t.alive, [] { FAIL("straight through"); }));
    // That frame took 30 ms of the I/O thread: 20 ms more than the 10 ms it had.
    t.pacer.charge(std::chrono::milliseconds(30));
    CHECK(t.pacer.time_left_us() == doctest::Approx(-20'000));
    bool resumed = false;
    CHECK_FALSE(t.pacer.admit(kChat, t.alive, [&] { resumed = true; }));
    // No time passes on the pacer's clock: however long the loop runs, the debt stands.
    t.io.run_for(std::chrono::milliseconds(30));
    CHECK_FALSE(resumed);
    // 40 ms at half the thread pays the 20 ms back, but a frame's worth more is needed.
    t.now_us += 40'000;
    t.io.restart();
    t.io.run_for(std::chrono::milliseconds(30));
    CHECK_FALSE(resumed);
    // Another 70 ms: 35 ms earned, capped at the 10 ms burst; now it goes.
    t.now_us += 70'000;
    t.io.restart();
    for (int i = 0; i < 200 && !resumed; ++i) t.io.run_for(std::chrono::milliseconds(5));
    CHECK(resumed);
    CHECK(t.pacer.time_left_us() == doctest::Approx(10'000));
}

TEST_CASE("the anonymous budget: waiters are let go as many at once as the time left pays for") {
    TimeBound t;
    // Frames have been costing 2 ms each (the running average settles on what they take).
    for (int i = 0; i < 200; ++i) {
        t.now_us += 4'000;  // at half the thread, 4 ms of clock pays for each
        REQUIRE(t.pacer.admit(kChat, t.alive, [] {}));
        t.pacer.charge(std::chrono::milliseconds(2));
    }
    CHECK(t.pacer.frame_cost_us() == doctest::Approx(2'000).epsilon(0.05));
    t.now_us += 100'000;  // a quiet spell: the full 10 ms burst is there
    // In one millisecond at most 10 ms / 2 ms = 5 frames go, straight through or from the queue.
    int straight = 0, resumed = 0;
    for (int i = 0; i < 25; ++i) straight += t.pacer.admit(kChat, t.alive, [&] { ++resumed; });
    CHECK(straight == 5);
    CHECK(t.pacer.waiting() == 20);
    t.io.run_for(std::chrono::milliseconds(20));
    CHECK(resumed == 0);  // the same millisecond on the pacer's clock: its five are out
    // The next millisecond: those five were never charged (their connections had nothing to
    // say), so five more go; not all twenty.
    t.now_us += 1'000;
    t.io.restart();
    for (int i = 0; i < 100 && resumed < 5; ++i) t.io.run_for(std::chrono::milliseconds(5));
    CHECK(resumed == 5);
    CHECK(t.pacer.waiting() == 15);
}

TEST_CASE("the anonymous budget: a desk signing in waits its turn beside a chat flood, not behind it") {
    // On a hand-held clock, one frame a 100 ms and one at once: each step below lets exactly one go.
    boost::asio::io_context io;
    int64_t now_us = 1'000'000;
    sbd::AnonymousPacer pacer(io.get_executor(), {10, 1}, {1.0, std::chrono::milliseconds(10)}, [&] { return now_us; });
    auto alive = std::make_shared<int>(0);
    std::vector<std::string> order;
    auto step = [&](std::size_t expect) {  // 100 ms on, and the loop run until one more has gone
        now_us += 100'000;
        io.restart();
        for (int i = 0; i < 100 && order.size() < expect; ++i) io.run_for(std::chrono::milliseconds(10));
        REQUIRE(order.size() == expect);
    };
    CHECK(pacer.admit(kChat, alive, [] {}));
    for (int i = 0; i < 20; ++i) CHECK_FALSE(pacer.admit(kChat, alive, [&order, i] { order.push_back("chat" + std::to_string(i)); }));
    // An agent's hello after twenty chats' frames: it goes at the next turn, not after them.
    CHECK_FALSE(pacer.admit(kDesk, alive, [&order] { order.push_back("hello"); }));
    CHECK(pacer.waiting(kDesk) == 1);
    CHECK(pacer.waiting(kChat) == 20);
    step(1);
    CHECK(order.back() == "hello");
    CHECK_FALSE(pacer.admit(kDesk, alive, [&order] { order.push_back("login"); }));
    step(2);
    CHECK(order.back() == "chat0");  // the queues take turns
    step(3);
    CHECK(order.back() == "login");
    // With no desk waiting, the chats go on in their order, every one.
    for (std::size_t n = 4; n <= 22; ++n) step(n);
    for (int i = 0; i < 20; ++i) CHECK(order[i == 0 ? 1 : i + 2] == "chat" + std::to_string(i));
    CHECK(pacer.waiting() == 0);
}
