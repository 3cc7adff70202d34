// sip_corpus.h: the RFC 4475 torture messages for the SIP tests, read from
// ../shared/conformance/sip-rfc4475 (beside the repository, as CI lays it out).
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace sip_corpus {

inline const std::string kDir = SB_SOURCE_DIR "/../shared/conformance/sip-rfc4475/";

inline std::string read(const std::string& name) {
    std::ifstream in(kDir + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << kDir << name);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Entry {
    std::string file, section, title, cls;  // cls: valid, invalid, transaction, application, compat
};

// MANIFEST.tsv: one row per message.
inline std::vector<Entry> manifest() {
    std::istringstream in(read("MANIFEST.tsv"));
    std::vector<Entry> out;
    std::string line;
    std::getline(in, line);  // column names
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cols;
        std::istringstream l(line);
        for (std::string c; std::getline(l, c, '\t');) cols.push_back(c);
        REQUIRE(cols.size() == 4);
        out.push_back({cols[0], cols[1], cols[2], cols[3]});
    }
    return out;
}

}  // namespace sip_corpus
