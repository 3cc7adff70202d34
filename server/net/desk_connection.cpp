// desk_connection.cpp: one desk or chat WebSocket (see desk_connection.h).
#include "server/net/desk_connection.h"

#include <sodium.h>

#include <chrono>
#include <exception>

namespace sbd {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

template <class NextLayer>
BasicDeskConnection<NextLayer>::BasicDeskConnection(NextLayer&& stream, std::optional<ConnectionTicket> ticket,
                                                    std::string remote_address, FrameHandler& service, DeskHub& hub,
                                                    Logger& log, const WebSocketLimits& limits)
    : ws_(FrameKindStream<NextLayer>(std::move(stream))),
      ticket_(std::move(ticket)),
      remote_address_(std::move(remote_address)),
      service_(service),
      hub_(hub),
      log_(log),
      limits_(limits),
      id_(hub.next_id()),
      frames_(limits.anonymous_rate, now_ms()),
      greeting_timer_(ws_.get_executor()),
      write_timer_(ws_.get_executor()),
      read_timer_(ws_.get_executor()),
      close_timer_(ws_.get_executor()) {}

template <class NextLayer>
int64_t BasicDeskConnection<NextLayer>::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::start(beast::http::request<beast::http::string_body> upgrade) {
    // The WebSocket keeps its own timers; the TCP stream's would cut idle desks.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = limits_.idle_timeout;
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "switchboardd/0.1"); }));
    ws_.read_message_max(limits_.read_message_max);
    ws_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::on_accept(beast::error_code ec) {
    if (ec) {
        log_.info("websocket handshake failed", {{"conn", id_}, {"error", ec.message()}});
        return;
    }
    open_ = true;
    hub_.add(id_, this->weak_from_this());
    service_.open(id_, remote_address_);
    log_.info("desk connected", {{"conn", id_}, {"address", remote_address_}});
    greeting_timer_.expires_after(limits_.greeting_timeout);
    greeting_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (ec || !self->open_ || self->closing_ || self->service_.greeted(self->id_)) return;
        self->log_.info("websocket closed: no first request in time", {{"conn", self->id_}});
        self->closing_ = true;
        self->close_reason_ = websocket::close_reason(websocket::close_code::policy_error, "no hello in time");
        if (!self->writing_) self->start_close(self->close_reason_);
    });
    read_next();
}

// ---- reading: paced by the frame rate, paused while the outbox is full ---------------------------
template <class NextLayer>
void BasicDeskConnection<NextLayer>::read_next() {
    if (!open_ || closing_ || reading_) return;
    if (outbox_bytes_ > limits_.outbox_pause_bytes) return;  // on_write resumes it
    reading_ = true;
    int64_t wait = frames_.wait_ms(now_ms());
    if (wait > 0) {
        read_timer_.expires_after(std::chrono::milliseconds(wait));
        read_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            self->reading_ = false;
            if (!ec) self->read_next();
        });
        return;
    }
    if (!authenticated_ && limits_.anonymous_pacer && budget_ != Budget::granted) {
        budget_ = Budget::waiting;
        // While it waits no read is pending, and a pending operation is what keeps a connection
        // alive: the ticket holds it (else the last timer to finish would free it, and cut the
        // customer without a word), until its turn or until the connection ends and lets go of
        // the ticket. The pacer sees only the ticket, weakly: a connection that ends while it
        // waits is freed at once, not when its turn comes, and the pacer drops the waiter and
        // takes nothing for it, even while the close handshake still runs.
        pacer_ticket_ = std::shared_ptr<void>(nullptr, [hold = this->shared_from_this()](void*) {});
        bool now = limits_.anonymous_pacer->admit(service_.audience(), pacer_ticket_, [weak = this->weak_from_this()] {
            auto self = weak.lock();
            if (!self || self->budget_ != Budget::waiting) return;  // gone, or closed meanwhile
            self->pacer_ticket_.reset();
            self->budget_ = Budget::granted;
            self->reading_ = false;
            self->read_next();
        });
        if (!now) return;  // reading_ stays true: the pacer resumes this read
    }
    paced_ = !authenticated_ && limits_.anonymous_pacer;  // this read's frame is charged to the budget
    budget_ = Budget::none;
    frames_.take(now_ms());
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) return finish("read ended", ec);
    bool text = ws_.next_layer().message_was_text();
    if (!closing_) {
        auto started = std::chrono::steady_clock::now();
        auto data = buffer_.cdata();
        handle(std::string_view(static_cast<const char*>(data.data()), data.size()), text);
        // What this anonymous frame took of the I/O thread, off the budget all of them share.
        if (paced_)
            limits_.anonymous_pacer->charge(std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - started));
    }
    // A frame may have carried a card number (payment_submit): nothing of it stays in the read
    // buffer until a later frame happens to overwrite it.
    for (auto b : boost::beast::buffers_range(buffer_.data())) sodium_memzero(b.data(), b.size());
    buffer_.consume(buffer_.size());
    read_next();
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::handle(std::string_view payload, bool text) {
    // The boundary of one frame: whatever a handler throws costs this frame an error reply,
    // never the process (an exception out of here would stop the server's I/O loop).
    try {
        service_.on_message(id_, payload, text);
    } catch (const std::exception& e) {
        log_.error("frame handler failed", {{"conn", id_}, {"error", e.what()}});
        send(service_.internal_error_frame());
    } catch (...) {
        log_.error("frame handler failed", {{"conn", id_}, {"error", "unknown exception"}});
        send(service_.internal_error_frame());
    }
}

// ---- writing: one at a time, counted, with a deadline -------------------------------------------
template <class NextLayer>
void BasicDeskConnection<NextLayer>::send(std::string frame) {
    if (!open_ || closing_) return;
    if (outbox_bytes_ + frame.size() > limits_.outbox_max_bytes) {
        // The peer does not read what it is sent: keep only the write in flight, then close.
        log_.warn("websocket closed: outgoing queue full",
                  {{"conn", id_}, {"address", remote_address_}, {"queued_bytes", outbox_bytes_}});
        while (outbox_.size() > (writing_ ? 1u : 0u)) {
            outbox_bytes_ -= outbox_.back().size();
            outbox_.pop_back();
        }
        closing_ = true;
        close_reason_ = websocket::close_reason(websocket::close_code::policy_error, "outgoing queue full");
        close_timer_.expires_after(limits_.shutdown_grace);
        close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->close_now("close not completed");
        });
        if (!writing_) start_close(close_reason_);
        return;
    }
    outbox_bytes_ += frame.size();
    outbox_.push_back(std::move(frame));
    if (!writing_) write_next();
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::write_next() {
    if (outbox_.empty()) {
        if (closing_) start_close(close_reason_);
        return;
    }
    writing_ = true;
    write_timer_.expires_after(limits_.write_timeout);
    write_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec && self->writing_) self->close_now("write timed out");
    });
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(outbox_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    write_timer_.cancel();
    if (ec) return finish("write failed", ec);
    outbox_bytes_ -= outbox_.front().size();
    outbox_.pop_front();
    if (outbox_bytes_ <= limits_.outbox_pause_bytes / 2) read_next();  // resumes a paused read
    write_next();
}

// ---- closing ------------------------------------------------------------------------------------
template <class NextLayer>
void BasicDeskConnection<NextLayer>::authenticated() {
    if (ticket_) ticket_->authenticated();
    authenticated_ = true;
    frames_.set_spec(limits_.authenticated_rate);
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::close_going_away(CloseWhy why) {
    if (!open_ || closing_) return;
    closing_ = true;
    close_reason_ = why == CloseWhy::NodeUnavailable
                        ? websocket::close_reason(websocket::close_code::try_again_later, "database unavailable")
                        : websocket::close_reason(websocket::close_code::going_away);
    // A peer that never reads would hold the close (and the server's exit) forever.
    close_timer_.expires_after(limits_.shutdown_grace);
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->close_now("close not completed");
    });
    if (!writing_) start_close(close_reason_);
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::start_close(websocket::close_reason reason) {
    if (close_sent_ || !open_) return;
    close_sent_ = true;
    read_timer_.cancel();
    if (budget_ == Budget::waiting) {  // no read is pending: nothing else would end the connection
        budget_ = Budget::none;
        reading_ = false;
        pacer_ticket_.reset();
    }
    close_timer_.expires_after(limits_.shutdown_grace);  // a peer that never answers the close
    close_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->close_now("close not completed");
    });
    ws_.async_close(reason, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) self->finish("close failed", ec);
        // Otherwise the pending read completes (closed) and finishes the connection.
        else if (!self->reading_) self->finish("closed", websocket::error::closed);
    });
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::close_now(const char* why) {
    if (!open_) return;
    log_.info("websocket cut", {{"conn", id_}, {"why", why}});
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class NextLayer>
void BasicDeskConnection<NextLayer>::finish(const char* why, beast::error_code ec) {
    if (!open_) return;
    open_ = false;
    greeting_timer_.cancel();
    write_timer_.cancel();
    read_timer_.cancel();
    close_timer_.cancel();
    pacer_ticket_.reset();  // a place in the anonymous budget's queue, if it had one
    hub_.remove(id_);
    service_.close(id_);
    bool normal = ec == websocket::error::closed || ec == boost::asio::error::operation_aborted;
    log_.info("desk disconnected", {{"conn", id_}, {"why", why}, {"error", normal ? "closed" : ec.message()}});
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    outbox_.clear();
    outbox_bytes_ = 0;
}

template class BasicDeskConnection<beast::tcp_stream>;
template class BasicDeskConnection<TlsStream>;

}  // namespace sbd
