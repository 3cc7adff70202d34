// bencode.cpp: the ng protocol's codec (see bencode.h).
#include "server/telephony/bencode.h"

#include <charconv>

namespace sbd {

namespace bencode {

std::optional<std::string> Value::text(const std::string& key) const {
    const Dict* d = dict();
    if (!d) return std::nullopt;
    auto it = d->find(key);
    if (it == d->end() || !it->second.str()) return std::nullopt;
    return *it->second.str();
}

namespace {
void encode_to(const Value& v, std::string& out) {
    if (auto i = v.integer()) {
        out += 'i' + std::to_string(*i) + 'e';
    } else if (auto s = v.str()) {
        out += std::to_string(s->size()) + ':' + *s;
    } else if (auto l = v.list()) {
        out += 'l';
        for (const Value& e : *l) encode_to(e, out);
        out += 'e';
    } else if (auto d = v.dict()) {
        out += 'd';
        for (const auto& [k, e] : *d) {  // std::map: keys in byte order, as bencode wants
            out += std::to_string(k.size()) + ':' + k;
            encode_to(e, out);
        }
        out += 'e';
    }
}

struct Decoder {
    std::string_view in;
    std::size_t pos = 0;

    sb::Error bad(const std::string& what) const {
        return sb::make_error("bad_bencode", what + " at byte " + std::to_string(pos));
    }
    // Digits up to `end`, as a number (a leading '-' only if `sign`).
    sb::Result<int64_t> number(char end, bool sign) {
        std::size_t stop = in.find(end, pos);
        if (stop == std::string_view::npos) return bad("unterminated number");
        std::string_view digits = in.substr(pos, stop - pos);
        if (digits.empty() || (!sign && digits[0] == '-')) return bad("bad number");
        if (digits == "-0" || (digits.size() > 1 && digits[0] == '0') ||
            (digits.size() > 2 && digits[0] == '-' && digits[1] == '0'))
            return bad("number with leading zeros");
        int64_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc() || p != digits.data() + digits.size()) return bad("bad number");
        pos = stop + 1;
        return v;
    }
    sb::Result<std::string> string() {
        auto n = number(':', false);
        if (!n) return n.error();
        if (static_cast<uint64_t>(n.value()) > in.size() - pos) return bad("string longer than the input");
        std::string s(in.substr(pos, static_cast<std::size_t>(n.value())));
        pos += static_cast<std::size_t>(n.value());
        return s;
    }
    sb::Result<Value> value(int depth) {
        if (depth > 32) return bad("nested too deeply");
        if (pos >= in.size()) return bad("unexpected end");
        char c = in[pos];
        if (c == 'i') {
            ++pos;
            auto n = number('e', true);
            if (!n) return n.error();
            return Value(n.value());
        }
        if (c == 'l') {
            ++pos;
            List l;
            while (pos < in.size() && in[pos] != 'e') {
                auto e = value(depth + 1);
                if (!e) return e.error();
                l.push_back(std::move(e.value()));
            }
            if (pos >= in.size()) return bad("unterminated list");
            ++pos;
            return Value(std::move(l));
        }
        if (c == 'd') {
            ++pos;
            Dict d;
            while (pos < in.size() && in[pos] != 'e') {
                if (in[pos] < '0' || in[pos] > '9') return bad("dictionary key is not a string");
                auto k = string();
                if (!k) return k.error();
                auto e = value(depth + 1);
                if (!e) return e.error();
                d[std::move(k.value())] = std::move(e.value());
            }
            if (pos >= in.size()) return bad("unterminated dictionary");
            ++pos;
            return Value(std::move(d));
        }
        if (c >= '0' && c <= '9') {
            auto s = string();
            if (!s) return s.error();
            return Value(std::move(s.value()));
        }
        return bad("unexpected character");
    }
};
}  // namespace

std::string encode(const Value& v) {
    std::string out;
    encode_to(v, out);
    return out;
}

sb::Result<Value> decode(std::string_view in) {
    Decoder d{in};
    auto v = d.value(0);
    if (!v) return v;
    if (d.pos != in.size()) return d.bad("trailing data");
    return v;
}

}  // namespace bencode

}  // namespace sbd
