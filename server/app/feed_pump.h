// feed_pump.h: the change feed (store/change_feed.h) read on the I/O loop: as soon as its socket
// has something, and once a second regardless (which is also when a lost feed connection is
// tried again). Each drain goes to the handler, on the loop's thread like everything else.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "server/net/periodic.h"
#include "server/store/change_feed.h"

namespace sbd {

class FeedPump {
public:
    using Handler = std::function<void(const ChangeFeed::Drained&)>;
    FeedPump(boost::asio::io_context& io, ChangeFeed& feed, Handler on)
        : feed_(feed), on_(std::move(on)), socket_(io),
          retry_(io.get_executor(), std::chrono::seconds(1), [this] { pump(); }) {}
    FeedPump(const FeedPump&) = delete;
    FeedPump& operator=(const FeedPump&) = delete;

    void start() {
        stopped_ = false;
        retry_.start();
        watch();
    }
    // Final; the socket's wait ends, so io.run() can return.
    void stop() {
        stopped_ = true;
        retry_.stop();
        boost::system::error_code ec;
        socket_.close(ec);
    }

private:
    void pump() {
        if (stopped_) return;
        on_(feed_.drain());
        watch();
    }
    void watch() {
        if (stopped_ || feed_.socket() < 0) return;  // down: the retry tries again
        if (generation_ != feed_.generation()) {     // a new connection: its socket
            boost::system::error_code ec;
            socket_.close(ec);  // (a wait on the old one ends, aborted)
            const int fd = ::dup(feed_.socket());
            if (fd < 0) return;
            socket_.assign(fd, ec);
            if (ec) return;
            generation_ = feed_.generation();
            waiting_ = false;
        }
        if (waiting_) return;
        waiting_ = true;
        socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, generation = generation_](const boost::system::error_code& ec) {
                               if (generation != generation_) return;  // the old connection's
                               waiting_ = false;
                               if (!ec) pump();
                           });
    }

    ChangeFeed& feed_;
    Handler on_;
    boost::asio::posix::stream_descriptor socket_;
    Periodic retry_;
    uint64_t generation_ = 0;
    bool waiting_ = false;
    bool stopped_ = true;
};

}  // namespace sbd
