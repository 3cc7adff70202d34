// anonymous_pacer_test.cpp: the budget all anonymous WebSockets share (server/net/anonymous_pacer.h).
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/net/anonymous_pacer.h"

TEST_CASE("the anonymous budget: a burst at once, then waiters in order of asking, at the rate") {
    boost::asio::io_context io;
    // 1 every 100 ms, 3 at once: slow enough that no token can come back while the test queues its
    // waiters, however slowly a sanitizer build on a busy machine runs those few lines (at 1 a ms
    // a single preemption refilled one, and the first waiter went straight through).
    sbd::AnonymousPacer pacer(io.get_executor(), {10, 3});
    auto alive = std::make_shared<int>(0);
    for (int i = 0; i < 3; ++i) CHECK(pacer.admit(alive, [] { FAIL("the burst goes straight through"); }));
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) CHECK_FALSE(pacer.admit(alive, [&order, i] { order.push_back(i); }));
    CHECK(pacer.waiting() == 5);
    // While some wait, a newcomer queues behind them even if a token came back meanwhile.
    CHECK_FALSE(pacer.admit(alive, [&order] { order.push_back(99); }));
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
    CHECK(pacer.admit(keep, [] {}));
    bool gone_resumed = false, kept_resumed = false;
    {
        auto gone = std::make_shared<int>(0);
        CHECK_FALSE(pacer.admit(gone, [&] { gone_resumed = true; }));
    }
    CHECK_FALSE(pacer.admit(keep, [&] { kept_resumed = true; }));
    io.run_for(std::chrono::milliseconds(1000));
    CHECK_FALSE(gone_resumed);
    CHECK(kept_resumed);
}
