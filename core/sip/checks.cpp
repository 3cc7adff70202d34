#include "sip/checks.h"

#include <string>

namespace sb::sip {

std::vector<Error> semantic_problems(const Message& m) {
    std::vector<Error> out;
    std::string missing;
    for (HeaderId id : {HeaderId::via, HeaderId::from, HeaderId::to, HeaderId::call_id, HeaderId::cseq}) {
        if (m.count(id) > 0) continue;
        if (!missing.empty()) missing += ", ";
        missing += canonical_name(id);
    }
    if (!missing.empty()) out.push_back(make_error("sip_missing_header", "missing required headers: " + missing));
    for (HeaderId id : {HeaderId::from, HeaderId::to, HeaderId::call_id, HeaderId::cseq, HeaderId::max_forwards,
                        HeaderId::content_type, HeaderId::expires}) {
        size_t n = m.count(id);
        if (n > 1)
            out.push_back(make_error("sip_duplicate_header", std::string(canonical_name(id)) + " appears " +
                                                                 std::to_string(n) + " times but allows one value"));
    }
    if (m.content_length_conflict()) {
        std::string values;
        for (std::string_view v : m.values(HeaderId::content_length)) values += (values.empty() ? "" : ", ") + std::string(v);
        out.push_back(make_error("sip_bad_framing", "Content-Length appears more than once with different values (" +
                                                        values + ")"));
    }
    return out;
}

Status check_semantics(const Message& m) {
    auto problems = semantic_problems(m);
    if (problems.empty()) return Ok{};
    return problems.front();
}

}  // namespace sb::sip
