// periodic.h: work run on the I/O loop every `period` until stop().
//
// stop() is final. A timer's cancel() alone is not: when the timer has already expired and its
// handler is queued behind the handler that stops it (a SIGTERM landing in the same turn as a
// tick), the handler still runs with success, does its work and arms the timer again, and
// io.run() never returns: the server hangs on shutdown instead of exiting.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sbd {

class Periodic {
public:
    Periodic(boost::asio::any_io_executor executor, std::chrono::milliseconds period, std::function<void()> work)
        : timer_(std::move(executor)), period_(period), work_(std::move(work)) {}
    Periodic(const Periodic&) = delete;
    Periodic& operator=(const Periodic&) = delete;

    // The first run is one period from now.
    void start() {
        stopped_ = false;
        arm();
    }
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }
    bool stopped() const { return stopped_; }

private:
    void arm() {
        timer_.expires_after(period_);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopped_) return;
            work_();
            if (!stopped_) arm();  // the work itself may have stopped it
        });
    }

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds period_;
    std::function<void()> work_;
    bool stopped_ = true;
};

}  // namespace sbd
