// protocol/depth.h: how deep JSON text nests, counted without parsing it.
#pragma once

#include <string_view>

namespace sb::protocol {

// Whether JSON text nests arrays and objects deeper than kMaxFrameDepth (frames.h: 32), outside
// strings. Anything that would parse such text and then recurse over it asks first: the desk's
// frame decoder, and the support log's redaction and replay (platform/recording.cpp).
bool nested_too_deep(std::string_view text);

}  // namespace sb::protocol
