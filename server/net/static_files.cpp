// static_files.cpp: static file resolution and content types (see static_files.h).
#include "server/net/static_files.h"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace sbd {

namespace fs = std::filesystem;

std::string_view content_type_for(const fs::path& file) {
    std::string ext = file.extension().string();
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".wasm") return "application/wasm";
    if (ext == ".data") return "application/octet-stream";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".png") return "image/png";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".ttf") return "font/ttf";
    if (ext == ".otf") return "font/otf";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

namespace {

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace

std::optional<fs::path> resolve_static_path(const fs::path& root, std::string_view target) {
    std::string_view path = target.substr(0, target.find_first_of("?#"));
    if (path.empty() || path.front() != '/') return std::nullopt;
    auto decoded = percent_decode(path);
    if (!decoded) return std::nullopt;
    fs::path relative;
    std::size_t start = 1;
    while (start <= decoded->size()) {
        std::size_t end = decoded->find('/', start);
        if (end == std::string::npos) end = decoded->size();
        std::string segment = decoded->substr(start, end - start);
        if (segment == "..") return std::nullopt;
        if (segment.find('\\') != std::string::npos || segment.find('\0') != std::string::npos) return std::nullopt;
        if (!segment.empty() && segment != ".") relative /= segment;
        start = end + 1;
    }
    fs::path full = root / relative;
    std::error_code ec;
    if (relative.empty() || fs::is_directory(full, ec)) full /= "index.html";
    // Symlinks inside the root could still point out of it: compare canonical forms.
    fs::path canonical_root = fs::weakly_canonical(root, ec);
    if (ec) return std::nullopt;
    fs::path canonical = fs::weakly_canonical(full, ec);
    if (ec) return std::nullopt;
    auto [r, c] = std::mismatch(canonical_root.begin(), canonical_root.end(), canonical.begin(), canonical.end());
    if (r != canonical_root.end()) return std::nullopt;
    return canonical;
}

StaticReply serve_static(const std::optional<fs::path>& web_root, std::string_view target) {
    std::string_view path = target.substr(0, target.find_first_of("?#"));
    if (path == "/healthz") return StaticReply{200, "application/json", "no-cache", "{\"ok\":true}", std::nullopt};

    if (!web_root) {
        if (path == "/" || path == "/index.html")
            return StaticReply{200, "text/plain; charset=utf-8", "no-cache",
                               "switchboardd is running, but the web build is missing.\n"
                               "Build it with:  cmake --preset web && cmake --build build/web\n"
                               "then start the server with --web-root pointing at the build's output "
                               "(./scripts/run does both).\n",
                               std::nullopt};
        return StaticReply{404, "text/plain; charset=utf-8", "", "Not found.\n", std::nullopt};
    }

    auto file = resolve_static_path(*web_root, target);
    if (!file) return StaticReply{403, "text/plain; charset=utf-8", "", "Forbidden.\n", std::nullopt};
    std::error_code ec;
    if (!fs::is_regular_file(*file, ec)) return StaticReply{404, "text/plain; charset=utf-8", "", "Not found.\n", std::nullopt};
    StaticReply reply;
    reply.content_type = std::string(content_type_for(*file));
    if (file->extension() == ".html") reply.cache_control = "no-cache";
    reply.file = *file;
    return reply;
}

}  // namespace sbd
