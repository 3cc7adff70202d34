// Who the client is behind a proxy (server/net/trusted_proxies.h): X-Forwarded-For is read only
// from trusted peers, from the right, up to the first address that is not a trusted proxy.
#include <doctest/doctest.h>

#include "server/net/trusted_proxies.h"

using namespace sbd;

namespace {
TrustedProxies proxies(std::initializer_list<const char*> specs) {
    std::vector<AddressRange> ranges;
    for (const char* s : specs) {
        auto r = AddressRange::parse(s);
        REQUIRE(r);
        ranges.push_back(r.value());
    }
    return TrustedProxies(std::move(ranges));
}
}  // namespace

TEST_CASE("trusted proxies: addresses and CIDR blocks") {
    auto r = AddressRange::parse("10.0.0.0/8");
    REQUIRE(r);
    CHECK(r.value().contains("10.255.1.2"));
    CHECK_FALSE(r.value().contains("11.0.0.1"));
    CHECK_FALSE(r.value().contains("::1"));
    auto odd = AddressRange::parse("192.168.4.0/22");
    REQUIRE(odd);
    CHECK(odd.value().contains("192.168.7.255"));
    CHECK_FALSE(odd.value().contains("192.168.8.0"));
    auto v6 = AddressRange::parse("fd00::/8");
    REQUIRE(v6);
    CHECK(v6.value().contains("fd12::1"));
    CHECK_FALSE(v6.value().contains("fe80::1"));
    auto one = AddressRange::parse("127.0.0.1");
    REQUIRE(one);
    CHECK(one.value().contains("127.0.0.1"));
    CHECK(one.value().contains("::ffff:127.0.0.1"));  // v4-mapped is the same address
    CHECK_FALSE(one.value().contains("127.0.0.2"));
    for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0/8", "example.com", "10.0.0.1/", "10.0.0.1/x"})
        CHECK_MESSAGE(!AddressRange::parse(bad), bad);
}

TEST_CASE("trusted proxies: the client is the right-most untrusted address") {
    auto t = proxies({"127.0.0.1", "10.0.0.0/8"});
    // Untrusted peer: the header is ignored, whatever it says.
    CHECK(t.client_address("192.0.2.5", "127.0.0.1") == "192.0.2.5");
    // Trusted peer without a header: the peer itself (Kamailio on loopback).
    CHECK(t.client_address("127.0.0.1", "") == "127.0.0.1");
    // nginx appended what it saw.
    CHECK(t.client_address("127.0.0.1", "203.0.113.7") == "203.0.113.7");
    // A client's own entries on the left are ignored.
    CHECK(t.client_address("127.0.0.1", "127.0.0.1, 198.51.100.1, 203.0.113.7") == "203.0.113.7");
    // A chain of trusted proxies is walked through.
    CHECK(t.client_address("127.0.0.1", "198.51.100.9, 203.0.113.7,10.1.2.3 , 10.0.0.4") == "203.0.113.7");
    // Several header lines arrive joined by commas; spaces and empty items are fine.
    CHECK(t.client_address("127.0.0.1", " 203.0.113.7 ,, ") == "203.0.113.7");
    // Garbage stops the walk at the last trusted hop.
    CHECK(t.client_address("127.0.0.1", "203.0.113.7, unknown") == "127.0.0.1");
    CHECK(t.client_address("127.0.0.1", "203.0.113.7, 10.0.0.9, [::1]:80") == "127.0.0.1");
    // All trusted: the left-most one reached.
    CHECK(t.client_address("127.0.0.1", "10.0.0.1, 10.0.0.2") == "10.0.0.1");
    // Canonical forms.
    CHECK(t.client_address("127.0.0.1", "::ffff:203.0.113.7") == "203.0.113.7");
    CHECK(t.client_address("127.0.0.1", "2001:DB8::1") == "2001:db8::1");
    // Nobody trusted: the peer, always.
    CHECK(TrustedProxies().client_address("127.0.0.1", "203.0.113.7") == "127.0.0.1");
}
