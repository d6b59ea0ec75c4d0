// static_files: what it serves, what it refuses, and its validators.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engineio/static_files.hpp"

namespace {

namespace fs = std::filesystem;

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sio-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "public" / "docs");
    write(root_ / "public" / "index.html", "<h1>home</h1>");
    write(root_ / "public" / "app.js", "let a = 1;");
    write(root_ / "public" / ".env", "SECRET=1");
    write(root_ / "public" / "docs" / "index.html", "<h1>docs</h1>");
    write(root_ / "secret.txt", "outside the root");
    serve_ = engineio::static_files(root_ / "public");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  engineio::http_response get(std::string path,
                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                              std::string method = "GET") {
    engineio::http_request req;
    req.method = std::move(method);
    req.url = path;
    req.path = std::move(path);
    for (const auto& [name, value] : headers) req.headers.emplace_back(name, value);
    return serve_(req);
  }

  static std::string header(const engineio::http_response& res, std::string_view name) {
    for (const auto& [n, v] : res.headers) {
      if (n == name) return v;
    }
    return {};
  }

  fs::path root_;
  engineio::http_handler serve_;
};

TEST_F(StaticFiles, ServesFilesWithTheirTypeAndValidators) {
  auto res = get("/app.js");
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body, "let a = 1;");
  EXPECT_EQ(header(res, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=0");
  EXPECT_TRUE(header(res, "ETag").starts_with("W/\"a-"));  // size 10 in hex, then mtime
  EXPECT_FALSE(header(res, "Last-Modified").empty());
}

TEST_F(StaticFiles, DirectoriesServeTheirIndexAndRedirectWithoutTheSlash) {
  EXPECT_EQ(get("/").body, "<h1>home</h1>");
  EXPECT_EQ(get("/docs/").body, "<h1>docs</h1>");
  auto res = get("/docs");
  EXPECT_EQ(res.status, 301u);
  EXPECT_EQ(header(res, "Location"), "/docs/");
}

TEST_F(StaticFiles, ConditionalRequestsGet304) {
  auto first = get("/app.js");
  EXPECT_EQ(get("/app.js", {{"if-none-match", header(first, "ETag")}}).status, 304u);
  EXPECT_EQ(get("/app.js", {{"if-none-match", "\"other\", " + header(first, "ETag")}}).status,
            304u);
  EXPECT_EQ(get("/app.js", {{"if-modified-since", header(first, "Last-Modified")}}).status, 304u);
  EXPECT_EQ(get("/app.js", {{"if-none-match", "\"other\""}}).status, 200u);
  EXPECT_EQ(get("/app.js", {{"if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT"}}).status, 200u);
}

TEST_F(StaticFiles, NothingOutsideTheRootNorHidden) {
  for (auto path : {"/../secret.txt", "/docs/../../secret.txt", "/%2e%2e/secret.txt",
                    "/..%2fsecret.txt", "/.env", "/docs/%2e%2e/.env", "/app.js%00.txt", "/%zz",
                    "/%", "/app.js%5c..%5c..%5csecret.txt", "/missing.html"}) {
    EXPECT_EQ(get(path).status, 404u) << path;
  }
}

TEST_F(StaticFiles, OnlyGetAndHead) {
  EXPECT_EQ(get("/app.js", {}, "HEAD").status, 200u);
  EXPECT_EQ(get("/app.js", {}, "POST").status, 404u);
  EXPECT_EQ(get("/app.js", {}, "DELETE").status, 404u);
}

TEST(MimeType, KnownAndUnknownExtensions) {
  EXPECT_EQ(engineio::mime_type("index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(engineio::mime_type("a.map"), "application/json; charset=utf-8");
  EXPECT_EQ(engineio::mime_type("logo.svg"), "image/svg+xml");
  EXPECT_EQ(engineio::mime_type("blob"), "application/octet-stream");
}

}  // namespace
