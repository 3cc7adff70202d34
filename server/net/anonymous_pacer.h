// anonymous_pacer.h: one budget for the frames of every anonymous WebSocket together (a chat
// customer's, a desk's before it signs in), on top of each connection's own rate
// (desk_connection.h). A thousand anonymous connections may each send within their own rate and
// still, together, keep the one I/O thread busy for hundreds of milliseconds at a time; a
// signed-in agent's request would wait behind all of it. Past the budget, anonymous
// connections wait their turn here, first come first served, and their frames stay unread in
// the kernel (TCP pushes back on the sender) while agents' frames are read at once
// (docs/security.md, "Limits").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/net/rate_limit.h"

namespace sbd {

class AnonymousPacer {
public:
    AnonymousPacer(boost::asio::any_io_executor executor, RateSpec spec);

    // One frame: true when the budget has it now (taken). Otherwise `resume` runs, from the I/O
    // loop, once the budget has one for this waiter (in order of asking), unless `alive` has
    // expired by then (the connection is gone: nothing is taken for it).
    bool admit(std::weak_ptr<void> alive, std::function<void()> resume);
    std::size_t waiting() const { return waiting_.size(); }

private:
    struct Waiter {
        std::weak_ptr<void> alive;
        std::function<void()> resume;
    };
    static int64_t now_ms();
    void arm();
    void release();

    boost::asio::steady_timer timer_;
    TokenBucket budget_;
    std::deque<Waiter> waiting_;
    bool armed_ = false;
};

}  // namespace sbd
