// periodic_test.cpp: work on the I/O loop every period until stopped (server/net/periodic.h).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/net/periodic.h"

using namespace std::chrono_literals;

TEST_CASE("a periodic task runs each period until stopped, and then the loop ends") {
    boost::asio::io_context io;
    int runs = 0;
    sbd::Periodic task(io.get_executor(), 5ms, [&] {
        if (++runs == 3) task.stop();  // stopped by its own work
    });
    task.start();
    io.run_for(2s);
    CHECK(runs == 3);
    CHECK(io.stopped());  // nothing left armed: run_for ended for want of work
}

TEST_CASE("a periodic task stopped in the turn its timer fired does not run again, and the loop ends") {
    // The shutdown race: SIGTERM's handler and the tick's are both ready in one turn of the loop,
    // the stop first. cancel() cannot reach a handler already queued; the task must not run it nor
    // arm itself again (switchboardd then hung on SIGTERM with every connection closed).
    boost::asio::io_context io;
    int runs = 0;
    sbd::Periodic task(io.get_executor(), 20ms, [&] { ++runs; });
    task.start();
    boost::asio::steady_timer stopper(io);
    stopper.expires_after(10ms);  // due before the task's first run
    stopper.async_wait([&](const boost::system::error_code&) { task.stop(); });
    // Keep the loop busy past both: the reactor then finds the two timers expired at once and
    // queues both handlers, the stopper's ahead.
    boost::asio::post(io, [] { std::this_thread::sleep_for(60ms); });
    io.run_for(2s);
    CHECK(runs == 0);
    CHECK(task.stopped());
    CHECK(io.stopped());
}
