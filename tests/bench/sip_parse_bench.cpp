// sip_parse_bench: how many SIP messages per second the core's parser reads, over a corpus of
// real call-flow messages (tests/bench/sip-corpus: captured from the voice lab's Kamailio on
// loopback, over UDP, TCP and WebSocket). Built natively and as wasm (run under node), so
// scripts/bench can put both beside JsSIP's parser on the same files in the same run.
//
//   sip_parse_bench CORPUS_DIR [SECONDS]   prints one JSON object on stdout
//
// Each message is parsed as the UA receives it: parse_message (start line, the headers every
// layer relies on validated) plus reading the Vias and CSeq, what JsSIP's parser also does
// eagerly. Messages the parser refuses are counted and left out of the timing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sip/fields.h"
#include "sip/message.h"

namespace {

bool parse_one(const std::string& bytes) {
    auto m = sb::sip::parse_message(bytes);
    if (!m) return false;
    auto vias = sb::sip::read_vias(m.value());
    auto cseq = sb::sip::read_cseq(m.value());
    return vias && cseq;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: sip_parse_bench CORPUS_DIR [SECONDS]\n");
        return 2;
    }
    const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(argv[1]))
        if (entry.is_regular_file() && entry.path().extension() == ".sip") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());

    std::vector<std::string> corpus;
    size_t refused = 0, bytes = 0;
    for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!parse_one(text)) {
            ++refused;
            continue;
        }
        bytes += text.size();
        corpus.push_back(std::move(text));
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "sip_parse_bench: no message in %s parses\n", argv[1]);
        return 1;
    }

    using clock = std::chrono::steady_clock;
    // Warm up (caches, wasm tier-up), then time whole passes over the corpus.
    for (int i = 0; i < 20; ++i)
        for (const auto& m : corpus) parse_one(m);
    size_t parsed = 0, failures = 0;
    const auto start = clock::now();
    double elapsed = 0;
    do {
        for (const auto& m : corpus) failures += parse_one(m) ? 0 : 1;
        parsed += corpus.size();
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < seconds);
    std::printf("{\"messages\": %zu, \"refused\": %zu, \"corpus_bytes\": %zu, \"parsed\": %zu, \"seconds\": %.3f, "
                "\"messages_per_s\": %.0f, \"failures\": %zu}\n",
                corpus.size(), refused, bytes, parsed, elapsed, parsed / elapsed, failures);
    return failures == 0 ? 0 : 1;
}
