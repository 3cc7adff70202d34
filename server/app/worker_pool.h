// worker_pool.h: a fixed number of threads for work that must not run on the I/O thread (the
// Argon2 password checks: tens of milliseconds of CPU and 64 MiB each), with a bounded queue.
//
// - Sized to the machine: one thread per core by default (--password-workers), so that a shift's
//   worth of sign-ins uses every core, not one.
// - Below the I/O thread: each worker lowers its own scheduling priority (nice +5), so that with
//   every core checking passwords the I/O thread still gets its turn and signed-in desks stay
//   fast.
// - Bounded: at most `max_queued` jobs wait (--password-queue); past that try_post() refuses at
//   once, and the caller answers the client to come back later (`rate_limited` with
//   `retry_after_ms`) instead of piling up minutes of work, and memory, behind a flood.
//
// Jobs run in the order they were posted. Stopping (or destroying) the pool lets the running
// jobs finish, drops the ones still waiting, and joins the threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace sbd {

class WorkerPool {
public:
    // `threads` 0: one per core (at least 1).
    WorkerPool(std::size_t threads, std::size_t max_queued, int nice_increment = 5);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Queues `work` unless `max_queued` jobs already wait to start: then false, and nothing runs.
    bool try_post(std::function<void()> work);
    void stop();

    std::size_t threads() const { return threads_.size(); }
    std::size_t max_queued() const { return max_queued_; }
    // Jobs posted and not yet started.
    std::size_t queued() const { return queued_.load(); }

    static std::size_t default_threads();

private:
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
    std::size_t max_queued_;
    std::atomic<std::size_t> queued_{0};
    std::vector<std::thread> threads_;
};

}  // namespace sbd
