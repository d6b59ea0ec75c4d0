#include "engineio/static_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>
#include <utility>

namespace engineio {
namespace {

namespace fs = std::filesystem;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// decodeURIComponent without the UTF-8 check (file names are bytes); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The path's segments when it is safe to join under the root: no `..`, no dotfile, no NUL,
// no backslash (a separator elsewhere).
std::optional<std::vector<std::string>> safe_segments(const std::string& path) {
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    auto segment = path.substr(start, slash - start);
    if (!segment.empty() && segment.front() == '.') return std::nullopt;  // `..` and dotfiles
    if (!segment.empty()) segments.push_back(std::move(segment));
    start = slash + 1;
  }
  return segments;
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buf{};
  auto n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return {buf.data(), n};
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
  std::tm tm{};
  std::istringstream in{std::string(text)};
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  return timegm(&tm);
}

// If-None-Match holds a list of tags, or "*"; the comparison is weak, as in Node's `fresh`.
bool etag_matches(std::string_view header, std::string_view etag) {
  auto strip_weak = [](std::string_view t) { return t.substr(0, 2) == "W/" ? t.substr(2) : t; };
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = header.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*" || strip_weak(tag) == strip_weak(etag)) return true;
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
  }
  return false;
}

std::optional<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

http_response not_found() {
  return http_response::text(404, "Not Found");
}

}  // namespace

std::string mime_type(std::string_view filename) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 26> types{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
      {".mp3", "audio/mpeg"},
      {".mp4", "video/mp4"},
      {".webm", "video/webm"},
  }};
  auto dot = filename.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext(filename.substr(dot));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& [suffix, type] : types) {
      if (suffix == ext) return std::string(type);
    }
  }
  return "application/octet-stream";
}

http_handler static_files(fs::path root, static_options opts) {
  return [root = std::move(root), opts = std::move(opts)](const http_request& req) {
    if (req.method != "GET" && req.method != "HEAD") return not_found();
    auto decoded = percent_decode(req.path);
    if (!decoded) return not_found();
    auto segments = safe_segments(*decoded);
    if (!segments) return not_found();
    fs::path file = root;
    for (const auto& s : *segments) file /= s;
    std::error_code ec;
    auto status = fs::status(file, ec);
    if (fs::is_directory(status)) {
      if (decoded->empty() || decoded->back() != '/') {
        auto location = req.url.substr(0, req.url.find('?')) + "/";
        return http_response{301, {{"Location", location}}, {}};
      }
      file /= opts.index;
      status = fs::status(file, ec);
    }
    if (!fs::is_regular_file(status)) return not_found();
    auto size = fs::file_size(file, ec);
    auto modified = fs::last_write_time(file, ec);
    if (ec) return not_found();
    auto mtime = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::file_clock::to_sys(modified).time_since_epoch())
                     .count();
    auto etag = fmt::format("W/\"{:x}-{:x}\"", size, mtime);
    auto last_modified = http_date(static_cast<std::time_t>(mtime / 1000));

    http_response res;
    res.set("Cache-Control", fmt::format("public, max-age={}", opts.max_age.count()));
    res.set("Last-Modified", last_modified);
    res.set("ETag", etag);
    auto if_none_match = req.header("if-none-match");
    auto if_modified_since = req.header("if-modified-since");
    bool fresh = false;
    if (if_none_match) {
      fresh = etag_matches(*if_none_match, etag);
    } else if (if_modified_since) {
      auto since = parse_http_date(*if_modified_since);
      fresh = since && *since >= mtime / 1000;
    }
    if (fresh) {
      res.status = 304;
      return res;
    }
    auto bytes = read_file(file);
    if (!bytes) return not_found();
    res.set("Content-Type", mime_type(file.filename().string()));
    res.body = std::move(*bytes);
    return res;
  };
}

}  // namespace engineio
