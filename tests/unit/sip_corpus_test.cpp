// The whole RFC 4475 corpus (../shared/conformance/sip-rfc4475) through the SIP message layer
// again and again: serialized and parsed back unchanged, truncated at every byte offset, and
// mutated byte by byte. Nothing may crash, and what still parses must read consistently.
// (The per-message checks are in sip_message_test.cpp.)
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sip/address.h"
#include "sip/checks.h"
#include "sip/fields.h"
#include "sip/message.h"
#include "sip_corpus.h"
#include "../common/sip_read_all.h"

using namespace sb;
using namespace sb::sip;

namespace {

using sip_corpus::Entry;
using sip_corpus::manifest;
std::string corpus_file(const std::string& name) { return sip_corpus::read(name); }

using sip_test::read_everything;

}  // namespace

// ---- the whole corpus, again and again --------------------------------------------------------
TEST_CASE("RFC 4475 corpus: every accepted message survives serialize and parse unchanged") {
    for (const auto& e : manifest()) {
        auto first = parse_message(corpus_file(e.file));
        if (!first.ok()) continue;
        const Message& a = first.value();
        std::string wire = a.serialize();
        auto second = parse_message(wire);
        REQUIRE_MESSAGE(second.ok(), e.file << ": " << (second.ok() ? "" : second.error().message));
        const Message& b = second.value();
        CHECK_MESSAGE(b.is_request() == a.is_request(), e.file);
        CHECK_MESSAGE(b.method() == a.method(), e.file);
        CHECK_MESSAGE(b.uri() == a.uri(), e.file);
        CHECK_MESSAGE(b.status() == a.status(), e.file);
        CHECK_MESSAGE(b.reason() == a.reason(), e.file);
        CHECK_MESSAGE(b.body() == a.body(), e.file);
        CHECK_MESSAGE(b.ignored_bytes() == 0, e.file);
        CHECK_MESSAGE(b.serialize() == wire, e.file);
        // Same headers, except that Content-Length now states the body's real size once.
        size_t j = 0;
        for (size_t i = 0; i < a.header_count(); ++i) {
            Header h = a.header(i);
            if (h.id == HeaderId::content_length) continue;
            while (j < b.header_count() && b.header(j).id == HeaderId::content_length) ++j;
            REQUIRE_MESSAGE(j < b.header_count(), e.file);
            CHECK_MESSAGE(b.header(j).name == h.name, e.file);
            CHECK_MESSAGE(b.header(j).value == h.value, e.file);
            ++j;
        }
        CHECK_MESSAGE(b.count(HeaderId::content_length) == 1, e.file);
        CHECK_MESSAGE(b.find(HeaderId::content_length)->value == std::to_string(a.body().size()), e.file);
    }
}

TEST_CASE("RFC 4475 corpus: truncated at every byte offset, nothing crashes or is misread") {
    ParseOptions stream;
    stream.framing = Framing::stream;
    for (const auto& e : manifest()) {
        std::string bytes = corpus_file(e.file);
        auto whole = parse_message(bytes);
        bool framed = whole.ok() && whole.value().find(HeaderId::content_length) &&
                      !whole.value().content_length_conflict();
        for (size_t cut = 0; cut < bytes.size(); ++cut) {
            auto r = parse_message(bytes.substr(0, cut));
            if (r.ok()) {
                read_everything(r.value());
                // A prefix that still parses can only be one without a Content-Length to hold
                // it to (RFC 2543 style), or one that already holds the whole body.
                if (framed) CHECK_MESSAGE(cut >= whole.value().wire_size(), e.file << " cut at " << cut);
            }
            if (framed) {
                auto s = parse_message(bytes.substr(0, cut), stream);
                if (cut < whole.value().wire_size())
                    CHECK_MESSAGE((!s.ok() && (s.error().code == kIncomplete || s.error().code == kEmpty)),
                                  e.file << " cut at " << cut);
            }
        }
    }
}

TEST_CASE("RFC 4475 corpus: single-byte mutations never crash the parser or the readers") {
    const char replacements[] = {'\0', ' ', '\r', '\n', ':', '"', '<', ';', ',', '%', '\x80'};
    size_t accepted = 0, rejected = 0;
    for (const auto& e : manifest()) {
        if (e.cls != "valid") continue;
        std::string bytes = corpus_file(e.file);
        for (size_t i = 0; i < bytes.size(); i += 3) {
            for (char c : replacements) {
                std::string mutated = bytes;
                mutated[i] = c;
                auto r = parse_message(std::move(mutated));
                if (r.ok()) {
                    ++accepted;
                    read_everything(r.value());
                } else {
                    ++rejected;
                    CHECK_FALSE(r.error().message.empty());
                }
            }
        }
    }
    CHECK(accepted > 0);
    CHECK(rejected > 0);
}
