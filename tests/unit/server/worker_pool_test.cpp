// The password checks' worker pool (server/app/worker_pool.h): its threads really run side by
// side, below the caller's priority, at most `max_queued` jobs wait, and a throwing job costs
// only itself.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "server/app/worker_pool.h"

namespace {

using namespace std::chrono_literals;

// A gate the test opens; jobs wait at it (never for more than 10 s, so a bug fails, not hangs).
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    int waiting = 0;
    bool wait() {
        std::unique_lock lock(m);
        ++waiting;
        cv.notify_all();
        return cv.wait_for(lock, 10s, [this] { return open; });
    }
    bool wait_for_waiters(int n) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, 10s, [&] { return waiting >= n; });
    }
    void release() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
};

bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 1000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("a worker pool of two runs two jobs at once") {
    sbd::WorkerPool pool(2, 8);
    CHECK(pool.threads() == 2);
    Gate gate;
    std::atomic<int> passed{0};
    for (int i = 0; i < 2; ++i)
        REQUIRE(pool.try_post([&] {
            if (gate.wait()) ++passed;
        }));
    // Both jobs are at the gate together: one thread could never hold both.
    CHECK(gate.wait_for_waiters(2));
    gate.release();
    CHECK(eventually([&] { return passed == 2; }));
}

TEST_CASE("one per core when no number is given") {
    sbd::WorkerPool pool(0, 8);
    CHECK(pool.threads() == sbd::WorkerPool::default_threads());
    CHECK(pool.threads() >= 1);
}

TEST_CASE("at most max_queued jobs wait: the next is refused at once, and taken again once they ran") {
    sbd::WorkerPool pool(1, 2);
    Gate gate;
    std::atomic<int> ran{0};
    REQUIRE(pool.try_post([&] {
        gate.wait();
        ++ran;
    }));
    REQUIRE(gate.wait_for_waiters(1));  // the one thread is busy: what follows waits
    CHECK(pool.queued() == 0);
    CHECK(pool.try_post([&] { ++ran; }));
    CHECK(pool.try_post([&] { ++ran; }));
    CHECK(pool.queued() == 2);
    CHECK_FALSE(pool.try_post([&] { ran += 100; }));  // refused: never runs
    CHECK(pool.queued() == 2);
    gate.release();
    CHECK(eventually([&] { return ran == 3 && pool.queued() == 0; }));
    CHECK(pool.try_post([&] { ++ran; }));
    CHECK(eventually([&] { return ran == 4; }));
}

TEST_CASE("workers run below the priority of the thread that made them") {
    errno = 0;
    const int mine = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    REQUIRE(errno == 0);
    sbd::WorkerPool pool(1, 4, 5);
    std::atomic<int> theirs{-100};
    REQUIRE(pool.try_post([&] { theirs = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); }));
    CHECK(eventually([&] { return theirs != -100; }));
    CHECK(theirs == std::min(19, mine + 5));
}

TEST_CASE("a job that throws costs only itself: the worker goes on") {
    sbd::WorkerPool pool(1, 4);
    std::atomic<bool> after{false};
    REQUIRE(pool.try_post([] { throw std::runtime_error("a bug"); }));
    REQUIRE(pool.try_post([&] { after = true; }));
    CHECK(eventually([&] { return after.load(); }));
}

TEST_CASE("stopping lets the running job finish and drops those still waiting") {
    auto pool = std::make_unique<sbd::WorkerPool>(1, 4);
    Gate gate;
    std::atomic<bool> finished{false}, dropped_ran{false};
    REQUIRE(pool->try_post([&] {
        gate.wait();
        finished = true;
    }));
    REQUIRE(gate.wait_for_waiters(1));
    REQUIRE(pool->try_post([&] { dropped_ran = true; }));
    std::thread opener([&] {
        std::this_thread::sleep_for(50ms);
        gate.release();
    });
    pool->stop();  // returns once the running job is done
    opener.join();
    CHECK(finished);
    CHECK_FALSE(dropped_ran);
}
