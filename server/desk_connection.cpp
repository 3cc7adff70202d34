// desk_connection.cpp: one desk WebSocket (see desk_connection.h).
#include "desk_connection.h"

#include <sodium.h>

#include <chrono>

namespace sbd {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

DeskConnection::DeskConnection(beast::tcp_stream&& stream, std::string remote_address, FrameHandler& service,
                               DeskHub& hub, Logger& log)
    : ws_(FrameKindStream(std::move(stream))),
      remote_address_(std::move(remote_address)),
      service_(service),
      hub_(hub),
      log_(log),
      id_(hub.next_id()) {}

void DeskConnection::start(beast::http::request<beast::http::string_body> upgrade) {
    // The WebSocket keeps its own timers; the TCP stream's would cut idle desks.
    ws_.next_layer().next_layer().expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = std::chrono::seconds(60);  // protocol.md: may close after 60 s of silence
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "switchboardd/0.1"); }));
    ws_.read_message_max(kReadMessageMax);
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void DeskConnection::on_accept(beast::error_code ec) {
    if (ec) {
        log_.info("websocket handshake failed", {{"conn", id_}, {"error", ec.message()}});
        return;
    }
    open_ = true;
    hub_.add(id_, weak_from_this());
    service_.open(id_, remote_address_);
    log_.info("desk connected", {{"conn", id_}, {"address", remote_address_}});
    read_next();
}

void DeskConnection::read_next() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void DeskConnection::on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish("read ended", ec);
    bool text = ws_.next_layer().message_was_text();
    if (!closing_) {
        auto data = buffer_.cdata();
        service_.on_message(id_, std::string_view(static_cast<const char*>(data.data()), data.size()), text);
    }
    // A frame may have carried a card number (payment_submit): nothing of it stays in the read
    // buffer until a later frame happens to overwrite it.
    for (auto b : boost::beast::buffers_range(buffer_.data())) sodium_memzero(b.data(), b.size());
    buffer_.consume(buffer_.size());
    read_next();
}

void DeskConnection::send(std::string frame) {
    if (!open_ || closing_) return;
    outbox_.push_back(std::move(frame));
    if (!writing_) write_next();
}

void DeskConnection::write_next() {
    if (outbox_.empty()) {
        if (closing_) start_close();
        return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void DeskConnection::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return finish("write failed", ec);
    outbox_.pop_front();
    write_next();
}

void DeskConnection::close_going_away() {
    if (!open_ || closing_) return;
    closing_ = true;
    if (!writing_) start_close();
}

void DeskConnection::start_close() {
    if (close_sent_) return;
    close_sent_ = true;
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code ec) {
        if (ec) self->finish("close failed", ec);
        // Otherwise the pending read completes (closed) and finishes the connection.
    });
}

void DeskConnection::finish(const char* why, beast::error_code ec) {
    if (!open_) return;
    open_ = false;
    hub_.remove(id_);
    service_.close(id_);
    bool normal = ec == websocket::error::closed || ec == boost::asio::error::operation_aborted;
    log_.info("desk disconnected", {{"conn", id_}, {"why", why}, {"error", normal ? "closed" : ec.message()}});
    beast::error_code ignored;
    ws_.next_layer().next_layer().socket().close(ignored);
}

}  // namespace sbd
