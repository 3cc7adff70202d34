// trusted_proxies.h: who the client is when switchboardd sits behind a reverse proxy.
//
// Behind nginx or HAProxy every connection comes from the proxy, so the peer's address says
// nothing about the client: the per-address limits (connections, failed logins, new chats), the
// audit and log lines, and the loopback checks of the telephony API and the fake providers would
// all see the proxy. The proxy says who its client was in X-Forwarded-For, but any client can
// send that header too. So it is believed only from the peers named with --trusted-proxy (IPs or
// CIDRs), and read from the right: each trusted proxy appends the address it saw, so the
// right-most address that is not itself a trusted proxy is the first one nobody trusted vouches
// for, and that is the client. Anything to its left was written by the client and is ignored.
// From any other peer the header is ignored and the peer is the client.
//
// Sections: AddressRange · TrustedProxies
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace sbd {

// An IP address in its canonical text form ("::ffff:10.0.0.1" becomes "10.0.0.1"), or nullopt
// if `text` is not one.
std::optional<std::string> canonical_address(std::string_view text);

// ---- AddressRange: an address or a CIDR block ---------------------------------------------------
struct AddressRange {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // v4 uses the first 4
    unsigned prefix = 32;

    // "10.0.0.5", "10.0.0.0/8", "::1", "fd00::/8".
    static sb::Result<AddressRange> parse(std::string_view text);
    bool contains(std::string_view address) const;
};

// ---- TrustedProxies -----------------------------------------------------------------------------
class TrustedProxies {
public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {}

    bool empty() const { return ranges_.empty(); }
    bool contains(std::string_view address) const;

    // The client of a request from `peer` that carried `forwarded_for` (every X-Forwarded-For
    // field's value joined by commas; empty when none was sent).
    std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

private:
    std::vector<AddressRange> ranges_;
};

}  // namespace sbd
