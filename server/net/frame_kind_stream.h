// frame_kind_stream.h: a stream layer under Beast's WebSocket that lets switchboardd answer
// invalid UTF-8 in a text frame with `bad_json` instead of Beast failing the connection.
//
// Beast 1.74 validates the UTF-8 of every text frame and closes the connection (1007) on a bad
// one, with no option to turn that off. The protocol wants a reply and the connection kept. So
// this layer watches the client's frame headers as the bytes arrive, remembers for each data
// message whether it started as text or binary, and rewrites the text opcode to binary before
// Beast sees it. The desk connection asks message_was_text() for each message it reads and
// validates UTF-8 itself. Control frames, continuations, masking and lengths pass untouched.
// (switchboardd never negotiates permessage-deflate, so frame payloads are the raw bytes.)
//
// The layer sits on whatever carries the bytes: a TCP stream (ws://) or a TLS stream over one
// (wss://); it sees the bytes after decryption either way.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace sbd {

template <class NextLayer>
class FrameKindStream {
public:
    using next_layer_type = NextLayer;
    using executor_type = typename next_layer_type::executor_type;

    explicit FrameKindStream(next_layer_type&& next) : next_(std::move(next)) {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    const next_layer_type& next_layer() const noexcept { return next_; }

    // For each complete message Beast hands over, in order: did it arrive as text?
    bool message_was_text() {
        if (kinds_.empty()) return true;
        bool text = kinds_.front();
        kinds_.pop_front();
        return text;
    }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return boost::asio::async_compose<ReadHandler, void(boost::beast::error_code, std::size_t)>(
            ReadOp<MutableBufferSequence>{*this, buffers}, handler, next_);
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return next_.async_write_some(buffers, std::forward<WriteHandler>(handler));
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& ec) {
        std::size_t n = next_.read_some(buffers, ec);
        scan(buffers, n);
        return n;
    }
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        boost::beast::error_code ec;
        std::size_t n = read_some(buffers, ec);
        if (ec) BOOST_THROW_EXCEPTION(boost::system::system_error{ec});
        return n;
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
        return next_.write_some(buffers, ec);
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers) {
        return next_.write_some(buffers);
    }

private:
    template <class MutableBufferSequence>
    struct ReadOp {
        FrameKindStream& stream;
        MutableBufferSequence buffers;
        bool started = false;

        template <class Self>
        void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t n = 0) {
            if (!started) {
                started = true;
                stream.next_.async_read_some(buffers, std::move(self));
                return;
            }
            stream.scan(buffers, n);
            self.complete(ec, n);
        }
    };

    template <class MutableBufferSequence>
    void scan(const MutableBufferSequence& buffers, std::size_t n) {
        auto it = boost::asio::buffer_sequence_begin(buffers);
        auto end = boost::asio::buffer_sequence_end(buffers);
        for (; it != end && n > 0; ++it) {
            boost::asio::mutable_buffer b = *it;
            std::size_t take = std::min(n, b.size());
            auto* p = static_cast<unsigned char*>(b.data());
            for (std::size_t i = 0; i < take; ++i) on_byte(p[i]);
            n -= take;
        }
    }

    // RFC 6455 section 5.2: 2 header bytes, 0/2/8 bytes of extended length, 0/4 of mask.
    void on_byte(unsigned char& byte) {
        if (payload_left_ > 0) {
            --payload_left_;
            return;
        }
        if (header_have_ == 0) {
            unsigned opcode = byte & 0x0F;
            if (opcode == 0x1) {
                kinds_.push_back(true);
                byte = static_cast<unsigned char>((byte & 0xF0) | 0x2);
            } else if (opcode == 0x2) {
                kinds_.push_back(false);
            }
        }
        header_[header_have_++] = byte;
        if (header_have_ < 2) return;
        unsigned len7 = header_[1] & 0x7F;
        std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        std::size_t need = 2 + ext + ((header_[1] & 0x80) ? 4 : 0);
        if (header_have_ < need) return;
        uint64_t len = len7;
        if (ext) {
            len = 0;
            for (std::size_t i = 0; i < ext; ++i) len = (len << 8) | header_[2 + i];
        }
        payload_left_ = len;
        header_have_ = 0;
    }

    next_layer_type next_;
    std::deque<bool> kinds_;
    std::array<unsigned char, 14> header_{};
    std::size_t header_have_ = 0;
    uint64_t payload_left_ = 0;
};

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Closing the WebSocket tears down the stream underneath (found by Beast through ADL).
inline void teardown(boost::beast::role_type role, FrameKindStream<boost::beast::tcp_stream>& s,
                     boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, s.next_layer().socket(), ec);
}
inline void teardown(boost::beast::role_type role, FrameKindStream<TlsStream>& s, boost::beast::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, s.next_layer(), ec);
    boost::beast::error_code ignored;
    boost::beast::get_lowest_layer(s).socket().close(ignored);
}

// Beast 1.74's own TCP teardown can stop draining after one read and close the socket with
// the peer's bytes still unread (its loop tests the coroutine's bytes_transferred, not the
// read's). Closing with unread data sends RST, and the peer then loses our close frame: a
// client that sent an oversize message would see 1006 instead of 1009. So drain properly:
// shut down our side, read until the peer's EOF (at most 5 s), then close.
namespace detail {
template <class Handler>
struct GracefulTeardown {
    boost::beast::role_type role;
    boost::beast::tcp_stream& stream;
    std::shared_ptr<std::array<char, 4096>> buffer;
    Handler handler;

    void start() {
        boost::beast::error_code ignored;
        if (role == boost::beast::role_type::server)
            stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
        stream.expires_after(std::chrono::seconds(5));
        read();
    }
    void read() {
        auto& s = stream;
        auto b = buffer;
        s.async_read_some(boost::asio::buffer(*b), std::move(*this));
    }
    void operator()(boost::beast::error_code ec, std::size_t) {
        if (!ec) return read();
        if (ec == boost::asio::error::eof) ec = {};
        boost::beast::error_code ignored;
        if (role == boost::beast::role_type::client)
            stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
        stream.socket().close(ignored);
        handler(ec);
    }
};

// TLS: send close_notify and wait (at most 5 s) for the peer's, then close the socket. A peer
// that just drops the connection instead (most browsers) is not an error.
template <class Handler>
struct TlsTeardown {
    TlsStream& stream;
    Handler handler;

    void start() {
        boost::beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        auto& s = stream;
        s.async_shutdown(std::move(*this));
    }
    void operator()(boost::beast::error_code ec) {
        if (ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated) ec = {};
        boost::beast::error_code ignored;
        boost::beast::get_lowest_layer(stream).socket().close(ignored);
        handler(ec);
    }
};
}  // namespace detail

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, FrameKindStream<boost::beast::tcp_stream>& s,
                    TeardownHandler&& handler) {
    detail::GracefulTeardown<std::decay_t<TeardownHandler>>{
        role, s.next_layer(), std::make_shared<std::array<char, 4096>>(),
        std::forward<TeardownHandler>(handler)}
        .start();
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type, FrameKindStream<TlsStream>& s, TeardownHandler&& handler) {
    detail::TlsTeardown<std::decay_t<TeardownHandler>>{s.next_layer(), std::forward<TeardownHandler>(handler)}.start();
}

}  // namespace sbd
