// trusted_proxies.cpp: X-Forwarded-For from trusted proxies only (see trusted_proxies.h).
#include "server/net/trusted_proxies.h"

#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace sbd {

namespace ip = boost::asio::ip;

namespace {

std::optional<ip::address> parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto a = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
    return a;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> canonical_address(std::string_view text) {
    auto a = parse_address(text);
    if (!a) return std::nullopt;
    return a->to_string();
}

// ---- AddressRange -------------------------------------------------------------------------------
sb::Result<AddressRange> AddressRange::parse(std::string_view text) {
    auto bad = [&] {
        return sb::make_error("bad_address_range",
                              "not an IP address or CIDR block (10.0.0.5, 10.0.0.0/8, fd00::/8): " + std::string(text));
    };
    std::string_view addr = text;
    std::optional<unsigned> prefix;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        addr = text.substr(0, slash);
        auto digits = text.substr(slash + 1);
        unsigned p = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return bad();
        prefix = p;
    }
    auto a = parse_address(addr);
    if (!a) return bad();
    AddressRange r;
    r.v6 = a->is_v6();
    if (r.v6) {
        auto b = a->to_v6().to_bytes();
        std::copy(b.begin(), b.end(), r.bytes.begin());
    } else {
        auto b = a->to_v4().to_bytes();
        std::copy(b.begin(), b.end(), r.bytes.begin());
    }
    unsigned max = r.v6 ? 128 : 32;
    r.prefix = prefix.value_or(max);
    if (r.prefix > max) return bad();
    return r;
}

bool AddressRange::contains(std::string_view address) const {
    auto a = parse_address(address);
    if (!a || a->is_v6() != v6) return false;
    std::array<uint8_t, 16> b{};
    if (v6) {
        auto v = a->to_v6().to_bytes();
        std::copy(v.begin(), v.end(), b.begin());
    } else {
        auto v = a->to_v4().to_bytes();
        std::copy(v.begin(), v.end(), b.begin());
    }
    unsigned whole = prefix / 8, rest = prefix % 8;
    for (unsigned i = 0; i < whole; ++i)
        if (b[i] != bytes[i]) return false;
    if (rest == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (b[whole] & mask) == (bytes[whole] & mask);
}

// ---- TrustedProxies -----------------------------------------------------------------------------
bool TrustedProxies::contains(std::string_view address) const {
    for (const auto& r : ranges_)
        if (r.contains(address)) return true;
    return false;
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for) const {
    if (ranges_.empty() || !contains(peer)) return peer;
    // Walk from the right: each hop that is a trusted proxy passes us on to the one it saw.
    std::string client = peer;
    constexpr int kMaxHops = 16;  // a long chain is a client padding the header; stop reading it
    int hops = 0;
    while (!forwarded_for.empty() && hops++ < kMaxHops) {
        auto comma = forwarded_for.rfind(',');
        std::string_view item = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
        if (item.empty()) continue;
        auto address = canonical_address(item);
        // Not an address ("unknown", a port, garbage): nobody trusted vouches for anything
        // beyond it, so the last trusted hop is as far as we know.
        if (!address) break;
        client = *address;
        if (!contains(client)) break;
    }
    return client;
}

}  // namespace sbd
