// worker_pool.cpp: see worker_pool.h.
#include "server/app/worker_pool.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

namespace sbd {

std::size_t WorkerPool::default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued, int nice_increment)
    : guard_(boost::asio::make_work_guard(io_)), max_queued_(max_queued) {
    if (threads == 0) threads = default_threads();
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this, nice_increment] {
            // Linux keeps a nice value per thread: this lowers only the worker's own.
            if (nice_increment > 0) {
                pid_t tid = gettid();
                errno = 0;
                int now = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
                if (errno == 0) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(tid), std::min(19, now + nice_increment));
            }
            io_.run();
        });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_post(std::function<void()> work) {
    std::size_t q = queued_.load();
    do {
        if (q >= max_queued_) return false;
    } while (!queued_.compare_exchange_weak(q, q + 1));
    boost::asio::post(io_, [this, work = std::move(work)] {
        --queued_;
        try {
            work();
        } catch (...) {
            // The callers' jobs do not throw (main.cpp wraps them); one that did costs only itself,
            // never the worker thread.
        }
    });
    return true;
}

void WorkerPool::stop() {
    guard_.reset();
    io_.stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

}  // namespace sbd
