// fuzz_json_doc: protocol::JsonDoc (the desk's frame parser, core/protocol/json_doc.h) against
// nlohmann::json::parse, which it replaced and must agree with. For any input both accept the
// same text, or both refuse it; what both accept has the same value and the same types (compared
// as nlohmann's own text, which tells 1 from 1.0 and a signed from an unsigned integer); and the
// depth limit refuses exactly what protocol's nested_too_deep refuses (decode_frame, too deep,
// whatever the parser read). A copy of a document reads the same. Any disagreement aborts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/depth.h"
#include "protocol/frames.h"
#include "protocol/json_doc.h"

using sb::protocol::JsonDoc;

namespace {

// Each lookup finds the member nlohmann keeps (the last of a name), with the same value.
void check_lookups(const sb::protocol::JsonValue& v, const nlohmann::json& j) {
    if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            const auto* found = v.find(it.key());
            auto theirs = j.find(std::string(it.key()));
            if (!found || theirs == j.end()) std::abort();
            if (sb::protocol::to_nlohmann(*found).dump() != theirs->dump()) std::abort();
        }
    }
    if (v.is_array() && v.size() != j.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    bool deep = sb::protocol::nested_too_deep(text);
    auto parsed = JsonDoc::parse(text, sb::protocol::kMaxFrameDepth);
    if (parsed.status == JsonDoc::Status::TooDeep && !deep) std::abort();
    if (deep) {
        // Too deep to hand to nlohmann's recursive parser. Ours may have read a value that a NUL
        // ended before the depth; the frame is refused as too deep all the same.
        if (parsed.status == JsonDoc::Status::Ok && parsed.length == size) std::abort();
        auto frame = sb::protocol::decode_frame(text);
        if (frame || frame.error().message.find("nests deeper") == std::string::npos) std::abort();
        return 0;
    }
    auto theirs = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    bool they_accept = !theirs.is_discarded();
    bool we_accept = parsed.status == JsonDoc::Status::Ok;
    if (they_accept != we_accept) std::abort();
    if (!we_accept) return 0;
    nlohmann::json ours = sb::protocol::to_nlohmann(parsed.doc.root());
    if (ours.dump() != theirs.dump()) std::abort();
    check_lookups(parsed.doc.root(), theirs);
    JsonDoc copy = parsed.doc;
    if (sb::protocol::to_nlohmann(copy.root()).dump() != ours.dump()) std::abort();
    return 0;
}
