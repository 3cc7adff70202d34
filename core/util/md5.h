// util/md5.h: MD5 (RFC 1321), for SIP digest authentication (RFC 2617, RFC 3261 22.4) only.
//
// SIP digest is defined over MD5, so the user agent needs it; it is not a general-purpose hash
// and nothing else in core/ should use it. Pure: no state outside the Md5 object.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

// Incremental MD5: update() any number of times, then digest() once.
class Md5 {
public:
    Md5();
    void update(std::string_view data);
    std::array<uint8_t, 16> digest();  // finishes the hash; the object is spent afterwards

private:
    void block(const uint8_t* p);
    uint32_t state_[4];
    uint64_t length_ = 0;  // bytes seen
    uint8_t buffer_[64];
    size_t buffered_ = 0;
};

// The MD5 digest of `data` as 32 lowercase hex characters (RFC 2617's "H(data)").
std::string md5_hex(std::string_view data);

}  // namespace sb
