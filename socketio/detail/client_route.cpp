#include "socketio/detail/client_route.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <optional>

#include "engineio/content_coding.hpp"
#include "socketio/detail/embedded_file.hpp"

namespace socketio::detail {
namespace {

// Socket.IO's ETag is the version, quoted; the weak form matches too.
constexpr std::string_view etag = "\"" SIO_CLIENT_VERSION "\"";
constexpr std::string_view weak_etag = "W/\"" SIO_CLIENT_VERSION "\"";

// One file's bytes, and each coding of them made once, on first demand.
class client_file {
 public:
  explicit client_file(const embedded_file& file) : file_(file) {}

  engineio::http_response answer(const engineio::http_request& req) {
    auto if_none_match = req.header("if-none-match");
    if (if_none_match && (*if_none_match == etag || *if_none_match == weak_etag)) {
      return {304, {}, {}};
    }
    bool is_map = file_.name.ends_with(".map");
    engineio::http_response res;
    res.set("Cache-Control", "public, max-age=0");
    res.set("Content-Type",
            is_map ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8");
    res.set("ETag", std::string(etag));
    auto coding = engineio::negotiate_encoding(req.header("accept-encoding").value_or(""),
                                               {"br", "gzip", "deflate"});
    const std::string* encoded = coding.empty() ? nullptr : encoded_as(coding);
    if (encoded) {
      res.set("Content-Encoding", std::string(coding));
      res.body = *encoded;
    } else {
      res.body = std::string(file_.bytes);
    }
    return res;
  }

 private:
  struct coded {
    std::once_flag once;
    std::optional<std::string> bytes;
  };

  const std::string* encoded_as(std::string_view coding) {
    auto& slot = coding == "br" ? br_ : coding == "gzip" ? gzip_ : deflate_;
    std::call_once(slot.once, [&] { slot.bytes = engineio::encode_content(file_.bytes, coding); });
    return slot.bytes ? &*slot.bytes : nullptr;
  }

  embedded_file file_;
  coded br_, gzip_, deflate_;
};

}  // namespace

void serve_client(engineio::server& engine, const std::string& path) {
  for (const auto& file : client_bundle_files()) {
    auto served = std::make_shared<client_file>(file);
    // Node answers any method on these paths.
    engine.route("*", path + std::string(file.name),
                 [served](const engineio::http_request& req) { return served->answer(req); });
  }
}

}  // namespace socketio::detail
