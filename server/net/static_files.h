// static_files.h: what switchboardd answers for a plain HTTP GET/HEAD: the web build's files
// from --web-root (with their Content-Type), /healthz, and a hint when there is no web build.
// Decides only; http_listener writes the response.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sbd {

struct StaticReply {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string cache_control;                 // empty: no header
    std::string body;                          // used when `file` is empty
    std::optional<std::filesystem::path> file; // serve this file's contents
};

// Content-Type for a file name, by extension (application/octet-stream when unknown).
std::string_view content_type_for(const std::filesystem::path& file);

// The file under `root` that `target` (the request target, with any query) names, or nullopt
// when it is refused: "..", backslashes, NUL, bad percent-escapes, or escaping the root.
// "/" and directories map to index.html. The file need not exist.
std::optional<std::filesystem::path> resolve_static_path(const std::filesystem::path& root, std::string_view target);

StaticReply serve_static(const std::optional<std::filesystem::path>& web_root, std::string_view target);

}  // namespace sbd
